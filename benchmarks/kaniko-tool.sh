# Sourced by the benchmark scripts that time whole builds: picks the dotnet-kaniko command they run, by default the
# one users install. Sets the array `kaniko` (run it as "${kaniko[@]}" build ...).
#   KANIKO_EXE=PATH  an executable: an apphost, a single-file or native publish
#   KANIKO_DLL=PATH  `dotnet PATH`, for example the framework-dependent Release build (JIT at start)
#   neither          `dotnet publish src/dotnet-kaniko -c Release -r linux-x64` into FOLDER/tool: the framework-dependent
#                    ReadyToRun publish the linux-x64 tool package holds, run through its apphost
# Usage: source benchmarks/kaniko-tool.sh; kaniko_tool FOLDER
kaniko=()

kaniko_tool() {
  local folder="$1"
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [[ -n ${KANIKO_EXE:-} ]]; then
    kaniko=("$KANIKO_EXE")
  elif [[ -n ${KANIKO_DLL:-} ]]; then
    kaniko=(dotnet "$KANIKO_DLL")
  else
    echo "[tool] publishing dotnet-kaniko (Release, linux-x64, ReadyToRun) into $folder/tool" >&2
    dotnet publish "$root/src/dotnet-kaniko" -c Release -r linux-x64 --self-contained false -o "$folder/tool" \
      -v quiet -nologo >/dev/null
    kaniko=("$folder/tool/dotnet-kaniko")
  fi
}
