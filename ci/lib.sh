# ci/lib.sh: what ci/agent.sh and the GitHub steps share. Sourced.

# gh_escape TEXT: TEXT as the data of a GitHub workflow command (no line
# of it can end the command or start another).
gh_escape()
{
	local s=$1

	s=${s//'%'/%25}
	s=${s//$'\r'/%0D}
	s=${s//$'\n'/%0A}
	printf '%s' "$s"
}
