declare const __SAFE_DOCKER_VERSION__: string | undefined;

/** safe-docker's own version, stamped in at build time (package.json when running from source). */
export const VERSION: string = typeof __SAFE_DOCKER_VERSION__ === 'string' ? __SAFE_DOCKER_VERSION__ : '0.0.0-dev';
