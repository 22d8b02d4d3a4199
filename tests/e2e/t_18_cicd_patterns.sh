#!/bin/bash
# Every default watched pattern, each written by its own shell in a git
# repository (no generated-build marker anywhere): one alert per file, naming
# the pattern that matched; matching ignores case. Files that only look like
# watched ones (bitbucket-pipelines.yaml, Makefile.in, x.gitlab-ci.yml,
# .git/description, ...) are written too and are not alerted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

# path in the repository, the pattern it must match
WATCHED=(
	".github/workflows/release.yaml	*/.github/workflows/*"
	".GITHUB/Workflows/Upper.yml	*/.github/workflows/*"
	".github/actions/setup/action.yml	*/.github/actions/*"
	".gitlab-ci.yml	*/.gitlab-ci*"
	"ci/.GitLab-CI.yml	*/.gitlab-ci*"
	"Jenkinsfile	*/Jenkinsfile*"
	"ci/Jenkinsfile.release	*/Jenkinsfile*"
	".circleci/config.yml	*/.circleci/*"
	".travis.yml	*/.travis*"
	"azure-pipelines.yml	*/azure-pipelines*"
	"bitbucket-pipelines.yml	*/bitbucket-pipelines.yml"
	".buildkite/pipeline.yml	*/.buildkite/*"
	".drone.yml	*/.drone.yml"
	".git/hooks/pre-commit	*/.git/hooks/*"
	"Makefile	*/Makefile"
	"src/Makefile	*/Makefile"
	"CMakeLists.txt	*/CMakeLists.txt"
	"app/build.gradle	*/build.gradle"
	"pom.xml	*/pom.xml"
)
NEAR_MISSES=(
	bitbucket-pipelines.yaml .drone.yaml x.gitlab-ci.yml mytravis.yml
	Makefile.in src/Makefile.am CMakeLists.txt.bak app/build.gradle.orig pom.xml.orig
	.github/CODEOWNERS docs/github/workflows/x.yml .git/description
)

files_scratch
repo=$(repo_init repo)
for e in "${WATCHED[@]}" "${NEAR_MISSES[@]}"; do
	rel=${e%%	*}
	mkdir -p "$(dirname "$repo/$rel")"
done
sh_name=$(exe_name sh)
ds_start

for e in "${WATCHED[@]}"; do
	rel=${e%%	*}
	pat=${e#*	}
	step "a shell writes $rel (pattern $pat)"
	sh_in "$repo" "echo x > '$rel'"
	expect_file "$repo/$rel" creation high suspicious "$sh_name" "depsentry.file.pattern=$pat"
done

step "one shell writes ${#NEAR_MISSES[@]} files that are not watched"
script=
for rel in "${NEAR_MISSES[@]}"; do
	script+="echo x > '$rel'; "
done
sh_in "$repo" "$script"
MISS_PID=$RUN_PID
for rel in "${NEAR_MISSES[@]}"; do
	require_file "$repo/$rel" "the shell did not write $rel"
done

expect_once
expect_count 0 "a file that is not watched was alerted" "process.pid=$MISS_PID"

ds_finish
