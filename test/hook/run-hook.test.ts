import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { AGENTS, type AgentName } from '../../src/hook/agents.js';
import { MAX_INPUT_BYTES } from '../../src/hook/read-input.js';
import { runHook } from '../../src/hook/run-hook.js';
import { decisionOf, PAYLOADS } from './payloads.js';

const AGENT_NAMES = Object.keys(AGENTS) as AgentName[];
const hook = (agent: AgentName, text: string) => runHook(AGENTS[agent], { text }, DEFAULTS.force, {});
const withCommand = (agent: AgentName, command: string) => decisionOf(hook(agent, JSON.stringify(PAYLOADS[agent](command))).stdout);
/** The agent's payload for its shell tool with the command field left out: the classic wrong-field failure. */
function withoutCommand(agent: AgentName): string {
	const payload = PAYLOADS[agent]('docker rm -f web') as Record<string, unknown> & { tool_input?: Record<string, unknown> };
	if (payload.tool_input) delete payload.tool_input.command;
	if (payload.toolArgs) payload.toolArgs = JSON.stringify({ description: 'no command' });
	delete payload.command;
	return JSON.stringify(payload);
}
/** Where the agent can ask the user, an unknowable call is asked about; elsewhere it is refused with the reason. */
const UNKNOWN: Record<AgentName, 'ask' | 'deny'> = { claude: 'ask', codex: 'deny', gemini: 'deny', copilot: 'deny', cursor: 'ask' };

describe.each(AGENT_NAMES)('runHook for %s', agent => {
	it('allowed: prints nothing and exits 0', () => {
		expect(hook(agent, JSON.stringify(PAYLOADS[agent]('docker ps -a && docker logs -f web')))).toEqual({ stdout: '', exitCode: 0 });
	});

	it.each([
		['refused', 'docker rm -f web'],
		['compound', 'docker build -t app . && docker run --rm app test; docker rm -f db'],
		['wrapper', 'sudo -E timeout 30 docker system prune -af'],
		['sh -c', `bash -c "docker compose rm -fs"`],
	])('%s: the deny form, exit 0, with the rule, the risk and the alternative', (_, command) => {
		const answer = hook(agent, JSON.stringify(PAYLOADS[agent](command)));
		expect(answer.exitCode).toBe(0);
		const { decision, reason } = decisionOf(answer.stdout);
		expect(decision).toBe('deny');
		expect(reason).toMatch(/^safe-docker refused: `.+` uses -\w*f\w* \(--force\) on .+: .+\. Run instead: /);
	});

	it.each([
		['compose down -v', 'docker compose down -v', 'Run instead: docker compose down'],
		[
			'volume rm',
			'cd app && docker volume rm pgdata',
			'Run instead: safe-docker guard backup pgdata, then ask the user to run (audited): SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm pgdata',
		],
		['prune, API version unknown', 'docker volume prune -f', 'unknown API version counts as named'],
	])('named volume loss (%s): the deny form, with what is lost and the safe way', (_, command, expected) => {
		const answer = hook(agent, JSON.stringify(PAYLOADS[agent](command)));
		expect(answer.exitCode).toBe(0);
		const { decision, reason } = decisionOf(answer.stdout);
		expect(decision).toBe('deny');
		expect(reason).toMatch(/^safe-docker refused: `.+` (uses .+; and )?destroys named volumes/);
		expect(reason).toContain(expected);
	});

	it.each([
		['rm -v (anonymous, warn by default)', 'docker rm -v web'],
		['compose up -V', 'docker compose up -d -V'],
		['no loss', 'docker compose down && docker run --rm -v data:/d app'],
	])('allowed like any allowed call: %s', (_, command) => {
		expect(hook(agent, JSON.stringify(PAYLOADS[agent](command)))).toEqual(hook(agent, JSON.stringify(PAYLOADS[agent]('docker ps'))));
	});

	it("refuses a hatch the agent writes on its own call: the hatch is the user's to set", () => {
		const payload = JSON.stringify(
			PAYLOADS[agent]('safe-docker guard backup pgdata && SAFE_DOCKER_ALLOW_DATA_LOSS="backed up" docker volume rm pgdata'),
		);
		expect(decisionOf(hook(agent, payload).stdout).decision).toBe('deny');
	});

	it('the data-loss policy is the configured one', () => {
		const payload = JSON.stringify(PAYLOADS[agent]('docker rm -v web'));
		const strict = { policy: { ...DEFAULTS.dataLoss, anonymous: 'reject' as const }, cwd: '/nonexistent', stateDir: undefined };
		expect(decisionOf(runHook(AGENTS[agent], { text: payload }, DEFAULTS.force, {}, strict).stdout).decision).toBe('deny');
	});

	it('unknowable argv: ask where the agent can, else a refusal that says why', () => {
		expect(withCommand(agent, 'docker $CMD web')).toEqual({
			decision: UNKNOWN[agent],
			reason: expect.stringContaining('only known when it runs'),
		});
	});

	it.each([
		['malformed JSON', '{"tool_name": "Bash", '],
		['not an object', '[1, 2]'],
		['missing field', undefined],
	])('%s: refused with the reason, never a crash', (_, text) => {
		const answer = hook(agent, text ?? withoutCommand(agent));
		expect(answer.exitCode).toBe(0);
		expect(decisionOf(answer.stdout)).toEqual({ decision: 'deny', reason: expect.stringMatching(/^safe-docker: .+; refused unread$/) });
	});

	it('oversize input: refused unread', () => {
		const answer = runHook(AGENTS[agent], { tooLarge: true }, DEFAULTS.force, {});
		expect(decisionOf(answer.stdout)).toEqual({
			decision: 'deny',
			reason: `safe-docker: the hook input is over ${MAX_INPUT_BYTES / 1024 / 1024} MiB; refused unread`,
		});
	});
});

describe('contract details', () => {
	it('a payload for another tool is not ours: allowed', () => {
		expect(hook('claude', JSON.stringify({ tool_name: 'Read', tool_input: { file_path: '/x' } }))).toEqual({ stdout: '', exitCode: 0 });
		expect(hook('gemini', JSON.stringify({ tool_name: 'read_file', tool_input: { path: '/x' } }))).toEqual({ stdout: '', exitCode: 0 });
		expect(hook('copilot', JSON.stringify({ toolName: 'view', toolArgs: '{"path":"/x"}' }))).toEqual({ stdout: '', exitCode: 0 });
	});

	it('Claude Code: exit 0 with hookSpecificOutput', () => {
		expect(JSON.parse(hook('claude', JSON.stringify(PAYLOADS.claude('docker rm -f web'))).stdout)).toEqual({
			hookSpecificOutput: {
				hookEventName: 'PreToolUse',
				permissionDecision: 'deny',
				permissionDecisionReason: expect.stringContaining('Run instead: safe-docker guard remove web'),
			},
		});
	});

	it('Copilot: toolArgs is a JSON string, parsed again; a toolArgs that is not JSON is refused', () => {
		expect(JSON.parse(hook('copilot', JSON.stringify(PAYLOADS.copilot('docker rmi -f app'))).stdout)).toEqual({
			permissionDecision: 'deny',
			permissionDecisionReason: expect.stringContaining('Run instead: docker rmi app'),
		});
		expect(decisionOf(hook('copilot', JSON.stringify({ toolName: 'bash', toolArgs: '{not json' })).stdout).reason).toBe(
			'safe-docker: toolArgs is not valid JSON; refused unread',
		);
	});

	it('Cursor: permission, user_message and agent_message', () => {
		const answer = JSON.parse(hook('cursor', JSON.stringify(PAYLOADS.cursor('docker rm -f web'))).stdout);
		expect(answer).toEqual({ permission: 'deny', user_message: expect.any(String), agent_message: expect.any(String) });
		expect(answer.user_message).toBe(answer.agent_message);
	});

	it('Codex: a shell tool sending an argv array is judged as that command line', () => {
		const payload = { tool_name: 'Bash', tool_input: { command: ['bash', '-lc', 'docker rm -f web'] } };
		expect(decisionOf(hook('codex', JSON.stringify(payload)).stdout).decision).toBe('deny');
	});
});
