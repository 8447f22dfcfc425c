import { describe, expect, it } from 'vitest';
import { found } from './found.js';

describe('code', () => {
	it('shell strings in Python: os.system, subprocess with shell=True; a list without shell is argv', () => {
		const text = [
			'os.system("docker rm -f " + name)',
			'subprocess.run(f"docker rmi -f {image}", shell=True)',
			'subprocess.run("docker rm -f not-a-shell")',
			'subprocess.check_output(["docker", "rm", "-f", c])',
		].join('\n');
		expect(found('code', text)).toEqual([
			'1:12 force/container rm (-f) => "safe-docker guard remove " + name',
			'2:18 force/image rm (-f) => f"docker rmi {image}"',
			'4:27 force/container rm (-f) => "safe-docker", "guard", "remove", c',
		]);
	});

	it('JS/TS: execSync, child_process.exec, zx and execa templates, spawn with shell: true', () => {
		const text = [
			"execSync('docker rm -f web');",
			'child_process.exec("docker system prune -af", cb);',
			'await $`docker rm -f ${c}`;',
			"spawn('docker volume prune -f', { shell: true });",
			"spawn('docker', ['rm', '-f', name]);",
		].join('\n');
		expect(found('code', text)).toEqual([
			"1:11 force/container rm (-f) => 'safe-docker guard remove web'",
			'2:21 force/system prune (-af) => "safe-docker cleanup --dry-run --images"',
			'3:9 force/container rm (-f) => `safe-docker guard remove ${c}`',
			"4:8 force/volume prune (-f) + data-loss/named (volume prune) => 'safe-docker cleanup --dry-run --volumes'",
			"5:8 force/container rm (-f) => 'safe-docker', 'guard', 'remove', name",
		]);
	});

	it('Go: exec.Command and exec.CommandContext argv, and sh -c in them', () => {
		const text = [
			'exec.Command("docker", "rm", "-f", name)',
			'exec.CommandContext(ctx, "docker", "rmi", "--force", img)',
			'exec.Command("sh", "-c", "docker rm -f x")',
		].join('\n');
		expect(found('code', text)).toEqual([
			'1:15 force/container rm (-f) => "safe-docker", "guard", "remove", name',
			'2:27 force/image rm (--force) => "docker", "rmi", img',
			'3:27 force/container rm (-f) => safe-docker guard remove x',
		]);
	});
});

describe('code comments', () => {
	it('a call in a comment is prose; one after a string holding // is still read', () => {
		const text = [
			"// spawn('docker', ['rm', '-f', name])",
			"/* execSync('docker rm -f a') */",
			'# os.system("docker rm -f b")',
			"const url = 'http://x'; execSync('docker rm -f c');",
		].join('\n');
		expect(found('code', text)).toEqual(["4:35 force/container rm (-f) => 'safe-docker guard remove c'"]);
	});
});
