// The main step of the depsentry action (action.yml): run start.sh with the
// step's environment (the inputs as INPUT_*, $GITHUB_STATE, ...). The
// logic is in the shell scripts; the step fails when the script does.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const r = spawnSync('bash', [path.join(__dirname, 'start.sh')], { stdio: 'inherit' });
if (r.error)
	console.log(`::error title=depsentry::cannot run bash: ${r.error.message}`);
process.exitCode = r.status === 0 ? 0 : 1;
