# bash completion for warren(8). Installed as share/bash-completion/completions/warren.
# tests/integration/test_cli.py checks that the subcommands and options here are the
# binary's (`warren --help`, `warren SUB --help`).
_warren() {
  local cur prev sub i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  sub=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) sub=${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
    -c|--config|--takeover) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
  esac
  case $sub in
    "") COMPREPLY=($(compgen -W "run check --version --help" -- "$cur")) ;;
    run) COMPREPLY=($(compgen -W "-c --config --takeover -h --help" -- "$cur")) ;;
    check)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-c --config -h --help" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null
      fi ;;
  esac
}
complete -F _warren warren
