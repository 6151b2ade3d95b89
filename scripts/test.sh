#!/usr/bin/env bash
# The test command: installs the test prerequisites (scripts/install-test-deps.sh), builds the solution and runs
# every test project, then prints one closing line "tests: N passed, N failed, N skipped".
# Exits non-zero when the build fails, a test fails, or no test ran.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "Category!=Integration".
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "[test] $*"; }

if ! scripts/install-test-deps.sh; then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing the test prerequisites failed"
    exit 1
  fi
  log "continuing without them: integration tests that need a missing package are skipped"
fi

results="$repo_root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
test_log="$results/dotnet-test.log"

log "dotnet test Kaniko.sln -c Release (TRX files and full log in artifacts/test-results)"
started=$SECONDS
set +e
dotnet test Kaniko.sln -c Release -tl:off --verbosity minimal \
  --logger "console;verbosity=minimal" --logger trx --results-directory "$results" \
  --blame-hang-timeout 10m --blame-hang-dump-type none \
  "$@" 2>&1 | tee "$test_log" | grep --line-buffered -v "Sequence file will not be generated"
status=${PIPESTATUS[0]}
set -e
log "dotnet test exited with $status after $((SECONDS - started)) s"

# Each test assembly ends with a VSTest summary line such as
#   Passed!  - Failed:     0, Passed:    12, Skipped:     1, Total:    13, Duration: 1 s - X.Tests.dll (net10.0)
# Summing those lines counts every assembly once, whatever the TRX file names.
read -r passed failed skipped assemblies < <(
  sed -nE 's/^.*(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+), +Skipped: +([0-9]+), +Total: +([0-9]+).*$/\3 \2 \4/p' "$test_log" |
    awk '{ p += $1; f += $2; s += $3; n++ } END { printf "%d %d %d %d\n", p, f, s, n }'
)

outcome=0
if [[ $status -ne 0 ]]; then
  log "FAILED: dotnet test exited with $status (build error, failed test or aborted run; see above)"
  outcome=1
fi
if [[ $failed -ne 0 ]]; then
  outcome=1
fi
if [[ $((passed + failed + skipped)) -eq 0 ]]; then
  log "FAILED: no test ran"
  outcome=1
fi
log "summed the results of $assemblies test assemblies"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$outcome"
