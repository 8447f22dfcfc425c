import type { AgentName } from '../../src/hook/agents.js';

/** Payloads in the shape each agent's documentation gives, around a shell command. */
export const PAYLOADS: Readonly<Record<AgentName, (command: string) => unknown>> = {
	claude: command => ({
		session_id: 'abc123',
		transcript_path: '/home/u/.claude/projects/p/abc123.jsonl',
		cwd: '/home/u/project',
		permission_mode: 'default',
		hook_event_name: 'PreToolUse',
		tool_name: 'Bash',
		tool_input: { command, description: 'Clean up the test containers', timeout: 120000 },
		tool_use_id: 'toolu_01ABC123',
	}),
	codex: command => ({
		session_id: 's-1',
		turn_id: 't-1',
		transcript_path: '/home/u/.codex/sessions/s-1.jsonl',
		cwd: '/home/u/project',
		hook_event_name: 'PreToolUse',
		model: 'gpt-5',
		permission_mode: 'default',
		tool_name: 'Bash',
		tool_input: { command },
	}),
	gemini: command => ({
		session_id: 'g-1',
		transcript_path: '/home/u/.gemini/tmp/chat.json',
		cwd: '/home/u/project',
		hook_event_name: 'BeforeTool',
		timestamp: '2026-11-30T10:00:00.000Z',
		tool_name: 'run_shell_command',
		tool_input: { command, description: 'clean up' },
	}),
	copilot: command => ({
		timestamp: 1764496800000,
		cwd: '/home/u/project',
		toolName: 'bash',
		toolArgs: JSON.stringify({ command, description: 'clean up' }),
	}),
	cursor: command => ({
		hook_event_name: 'beforeShellExecution',
		conversation_id: 'conv-123',
		generation_id: 'gen-456',
		workspace_roots: ['/home/u/project'],
		command,
		cwd: '/home/u/project',
	}),
};

/** The decision an answer carries, whatever the agent's format: deny, ask, or allow (nothing printed). */
export function decisionOf(stdout: string): { decision: 'deny' | 'ask' | 'allow'; reason: string } {
	if (stdout.trim() === '') return { decision: 'allow', reason: '' };
	type Answer = Record<string, string | undefined> & { hookSpecificOutput?: Record<string, string> };
	const answer = JSON.parse(stdout) as Answer;
	const decision = answer.hookSpecificOutput?.permissionDecision ?? answer.permissionDecision ?? answer.decision ?? answer.permission;
	const reason =
		answer.hookSpecificOutput?.permissionDecisionReason ?? answer.permissionDecisionReason ?? answer.reason ?? answer.agent_message;
	return { decision: decision as 'deny' | 'ask' | 'allow', reason: reason ?? '' };
}
