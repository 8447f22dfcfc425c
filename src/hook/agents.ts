import { displayCommand } from '../system/display-command.js';
import type { HookVerdict } from './judge-shell.js';

export type AgentName = 'claude' | 'codex' | 'gemini' | 'copilot' | 'cursor';

/** What a payload asks: a shell command to judge, another tool (not ours), or a payload we cannot read. */
type HookInput = { readonly command: string } | { readonly otherTool: string } | { readonly unreadable: string };

/** The answer an agent reads: what to print on stdout and the exit code. */
export interface HookAnswer {
	readonly stdout: string;
	readonly exitCode: number;
}

/** Where an agent reads its hooks, and the entry that runs safe-docker. */
interface HookInstall {
	/** Relative to the project root (`--project`) or the home directory (`--user`); undefined where the agent has none. */
	readonly project: string;
	readonly user: string | undefined;
	/** The hook list the entry goes into, as a path of keys. */
	readonly listPath: readonly string[];
	/** Keys the file needs beside the list (Copilot's and Cursor's `version`). */
	readonly fileDefaults: Readonly<Record<string, unknown>>;
	readonly entry: (command: string) => Record<string, unknown>;
	/** The commands an entry of the list runs, for the self-test and for idempotence. */
	readonly commandsOf: (entry: unknown) => string[];
	/** The payload the agent sends for a shell command, for the self-test. */
	readonly samplePayload: (command: string, cwd: string) => unknown;
}

export interface AgentContract {
	readonly name: AgentName;
	readonly title: string;
	readonly read: (payload: unknown) => HookInput;
	readonly answer: (verdict: HookVerdict) => HookAnswer;
	/** Whether an answer blocks the command (for the self-test). */
	readonly blocks: (answer: HookAnswer) => boolean;
	readonly install: HookInstall;
}

const SILENT: HookAnswer = { stdout: '', exitCode: 0 };
const json = (value: unknown): HookAnswer => ({ stdout: `${JSON.stringify(value)}\n`, exitCode: 0 });
const parsed = (answer: HookAnswer): Record<string, unknown> => {
	try {
		return answer.stdout.trim() === '' ? {} : (JSON.parse(answer.stdout) as Record<string, unknown>);
	} catch {
		return {};
	}
};
const record = (value: unknown): Record<string, unknown> | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** `tool_input.command` of a snake_case PreToolUse payload (Claude Code, Codex, Gemini, Copilot's VS Code form). */
function toolInputCommand(payload: unknown, shellTools: readonly string[]): HookInput {
	const body = record(payload);
	if (!body) return { unreadable: 'the hook input is not a JSON object' };
	const tool = body.tool_name;
	if (typeof tool === 'string' && !shellTools.includes(tool)) return { otherTool: tool };
	return commandField(record(body.tool_input)?.command, 'tool_input.command');
}

function commandField(command: unknown, field: string): HookInput {
	if (typeof command === 'string') return { command };
	// An argv array (Codex's shell tool can send one): judged as the command line it stands for.
	if (Array.isArray(command) && command.every(word => typeof word === 'string')) return { command: displayCommand(command) };
	return { unreadable: `the hook input has no ${field} string` };
}

/** Claude Code's and Codex's PreToolUse answer. */
function preToolUse(decision: 'deny' | 'ask', reason: string): HookAnswer {
	return json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } });
}
const preToolUseBlocks = (answer: HookAnswer) => record(parsed(answer).hookSpecificOutput)?.permissionDecision === 'deny';

/** Claude-style settings: `hooks.<Event>[] = { matcher, hooks: [{ type: 'command', command }] }`. */
function matcherGroups(
	event: string,
	matcher: string,
	extra: Record<string, unknown>,
): Pick<HookInstall, 'listPath' | 'entry' | 'commandsOf'> {
	return {
		listPath: ['hooks', event],
		entry: command => ({ matcher, hooks: [{ type: 'command', command, ...extra }] }),
		commandsOf: entry => {
			const group = record(entry);
			const hooks = Array.isArray(group?.hooks) ? group.hooks : [];
			const matches =
				typeof group?.matcher !== 'string' || group.matcher === '' || group.matcher === '*' || safeTest(group.matcher, matcher);
			return matches ? hooks.flatMap(hook => (typeof record(hook)?.command === 'string' ? [record(hook)!.command as string] : [])) : [];
		},
	};
}

function safeTest(pattern: string, name: string): boolean {
	try {
		return new RegExp(`^(?:${pattern})$`).test(name);
	} catch {
		return pattern === name;
	}
}

export const AGENTS: Readonly<Record<AgentName, AgentContract>> = {
	claude: {
		name: 'claude',
		title: 'Claude Code',
		read: payload => toolInputCommand(payload, ['Bash']),
		answer: verdict => (verdict.decision === 'allow' ? SILENT : preToolUse(verdict.decision === 'deny' ? 'deny' : 'ask', verdict.reason)),
		blocks: preToolUseBlocks,
		install: {
			project: '.claude/settings.json',
			user: '.claude/settings.json',
			fileDefaults: {},
			...matcherGroups('PreToolUse', 'Bash', { timeout: 10 }),
			samplePayload: (command, cwd) => ({
				session_id: 'safe-docker-self-test',
				hook_event_name: 'PreToolUse',
				cwd,
				tool_name: 'Bash',
				tool_input: { command, description: 'safe-docker self-test' },
			}),
		},
	},
	codex: {
		name: 'codex',
		title: 'OpenAI Codex CLI',
		read: payload => toolInputCommand(payload, ['Bash', 'shell', 'local_shell', 'exec_command']),
		// Codex has no "ask" for PreToolUse: a command that cannot be checked is refused with the reason.
		answer: verdict => (verdict.decision === 'allow' ? SILENT : preToolUse('deny', verdict.reason)),
		blocks: preToolUseBlocks,
		install: {
			project: '.codex/hooks.json',
			user: '.codex/hooks.json',
			fileDefaults: {},
			...matcherGroups('PreToolUse', 'Bash', { timeout: 10 }),
			samplePayload: (command, cwd) => ({
				session_id: 'safe-docker-self-test',
				turn_id: 'self-test',
				hook_event_name: 'PreToolUse',
				cwd,
				tool_name: 'Bash',
				tool_input: { command },
			}),
		},
	},
	gemini: {
		name: 'gemini',
		title: 'Gemini CLI',
		read: payload => toolInputCommand(payload, ['run_shell_command']),
		answer: verdict => (verdict.decision === 'allow' ? SILENT : json({ decision: 'deny', reason: verdict.reason })),
		blocks: answer => parsed(answer).decision === 'deny',
		install: {
			project: '.gemini/settings.json',
			user: '.gemini/settings.json',
			fileDefaults: {},
			// Gemini's timeout is in milliseconds.
			...matcherGroups('BeforeTool', 'run_shell_command', { name: 'safe-docker', timeout: 10_000 }),
			samplePayload: (command, cwd) => ({
				session_id: 'safe-docker-self-test',
				hook_event_name: 'BeforeTool',
				cwd,
				timestamp: new Date(0).toISOString(),
				tool_name: 'run_shell_command',
				tool_input: { command, description: 'safe-docker self-test' },
			}),
		},
	},
	copilot: {
		name: 'copilot',
		title: 'GitHub Copilot (CLI and coding agent)',
		read: payload => {
			const body = record(payload);
			if (!body) return { unreadable: 'the hook input is not a JSON object' };
			if (!('toolName' in body)) return toolInputCommand(payload, ['bash', 'shell', 'Bash']); // the VS Code-compatible form
			if (typeof body.toolName === 'string' && !['bash', 'shell', 'powershell'].includes(body.toolName))
				return { otherTool: body.toolName };
			// toolArgs is a JSON string holding the tool's arguments.
			let args: unknown = body.toolArgs;
			if (typeof args === 'string') {
				try {
					args = JSON.parse(args);
				} catch {
					return { unreadable: 'toolArgs is not valid JSON' };
				}
			}
			return commandField(record(args)?.command, 'toolArgs.command');
		},
		answer: verdict =>
			verdict.decision === 'allow' ? SILENT : json({ permissionDecision: 'deny', permissionDecisionReason: verdict.reason }),
		blocks: answer => parsed(answer).permissionDecision === 'deny',
		install: {
			project: '.github/hooks/safe-docker.json',
			user: undefined,
			listPath: ['hooks', 'preToolUse'],
			fileDefaults: { version: 1 },
			entry: command => ({ type: 'command', bash: command, timeoutSec: 10 }),
			commandsOf: entry => (typeof record(entry)?.bash === 'string' ? [record(entry)!.bash as string] : []),
			samplePayload: (command, cwd) => ({
				timestamp: 0,
				cwd,
				toolName: 'bash',
				toolArgs: JSON.stringify({ command, description: 'safe-docker self-test' }),
			}),
		},
	},
	cursor: {
		name: 'cursor',
		title: 'Cursor',
		read: payload => {
			const body = record(payload);
			if (!body) return { unreadable: 'the hook input is not a JSON object' };
			return commandField(body.command, 'command');
		},
		// Nothing for "allow": an explicit allow could skip Cursor's own approval of commands that are not docker at all.
		answer: verdict =>
			verdict.decision === 'allow'
				? SILENT
				: json({ permission: verdict.decision === 'deny' ? 'deny' : 'ask', user_message: verdict.reason, agent_message: verdict.reason }),
		blocks: answer => parsed(answer).permission === 'deny',
		install: {
			project: '.cursor/hooks.json',
			user: '.cursor/hooks.json',
			listPath: ['hooks', 'beforeShellExecution'],
			fileDefaults: { version: 1 },
			entry: command => ({ command }),
			commandsOf: entry => (typeof record(entry)?.command === 'string' ? [record(entry)!.command as string] : []),
			samplePayload: (command, cwd) => ({
				hook_event_name: 'beforeShellExecution',
				conversation_id: 'safe-docker-self-test',
				generation_id: 'self-test',
				workspace_roots: [cwd],
				command,
				cwd,
			}),
		},
	},
};

/** The command an install writes: fixed across upgrades (Codex trusts a hook by its hash). */
export function hookCommandLine(agent: AgentName): string {
	return `safe-docker guard hook ${agent}`;
}
