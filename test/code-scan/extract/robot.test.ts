import { describe, expect, it } from 'vitest';
import { found } from './found.js';

describe('Robot Framework, Jenkinsfile, PowerShell, bats', () => {
	it('Robot: Run (a shell line) and Run Process (argv cells, or a shell line with shell=True)', () => {
		const text = [
			'*** Test Cases ***',
			'Clean',
			'    Run    docker rm -f a',
			'    Run Process    docker    rm    -f    ${B}',
			'    Run Process    docker rmi -f c    shell=True',
			'    Run Process    docker    logs    -f    d',
		].join('\n');
		expect(found('robot', text)).toEqual([
			'3:12 force/container rm (-f) => safe-docker guard remove a',
			'4:20 force/container rm (-f) => safe-docker    guard    remove    ${B}',
			'5:20 force/image rm (-f) => docker rmi c',
		]);
	});

	it('Jenkinsfile: sh steps in every quote style', () => {
		const text = [
			"sh 'docker rm -f a'",
			'sh "docker rm -f ${env.B}"',
			"sh(script: 'docker rmi -f c', returnStdout: true)",
			"sh '''",
			'  docker system prune -af',
			"'''",
		].join('\n');
		expect(found('jenkinsfile', text)).toEqual([
			'1:5 force/container rm (-f) => safe-docker guard remove a',
			'2:5 force/container rm (-f) => safe-docker guard remove ${env.B}',
			'3:13 force/image rm (-f) => docker rmi c',
			'5:3 force/system prune (-af) => safe-docker cleanup --dry-run --images',
		]);
	});

	it('PowerShell: backtick continuations, the & call operator, <# #> comments', () => {
		const text = ['<# docker rm -f in-a-comment #>', 'docker rm -f $name `', '  $other', '& docker volume prune -f'].join('\n');
		expect(found('powershell', text)).toEqual([
			'2:1 force/container rm (-f) => safe-docker guard remove $name $other',
			'4:3 force/volume prune (-f) + data-loss/named (volume prune) => safe-docker cleanup --dry-run --volumes',
		]);
	});

	it('bats: `run docker …` and helper bodies, comments with backticks left alone', () => {
		const text = ['@test "x" {', '  # `docker rm -f` here is prose', '  run docker rm -f "$C" 2>/dev/null', '}'].join('\n');
		expect(found('shell', text)).toEqual(['3:7 force/container rm (-f) => run safe-docker guard remove "$C" 2>/dev/null']);
	});
});
