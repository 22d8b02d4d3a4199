// The post step of the depsentry action (action.yml, post-if: always()): run
// post.sh at the end of the job, with what the main step saved through
// $GITHUB_STATE as STATE_* variables. The step fails when the script does.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const r = spawnSync('bash', [path.join(__dirname, 'post.sh')], { stdio: 'inherit' });
if (r.error)
	console.log(`::error title=depsentry::cannot run bash: ${r.error.message}`);
process.exitCode = r.status === 0 ? 0 : 1;
