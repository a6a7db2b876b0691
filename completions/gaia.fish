# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gaia_global_optspecs
    string join \n config= root= checks= format= color= v/verbose q/quiet wait= h/help V/version
end

function __fish_gaia_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gaia_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gaia_using_subcommand
    set -l cmd (__fish_gaia_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gaia -n "__fish_gaia_needs_command" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_needs_command" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_needs_command" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_needs_command" -l format -d 'Output format' -r -f -a "human\t''
json\t''
junit\t'JUnit XML, one test suite per category'"
complete -c gaia -n "__fish_gaia_needs_command" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_needs_command" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_needs_command" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_needs_command" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_needs_command" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "man" -d 'Print gaia\'s manual page, or write one page per command into a directory'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "doctor" -d 'Check the health of the live and candidate stacks, every check at once'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "promote" -d 'Move a candidate into live: validated, gated, rolled back automatically on failure'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "rollback" -d 'Put back the version the last promotion replaced, or an older kept one'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "watch" -d 'Run the doctor every interval and serve its findings: a guardian for the stack'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "image" -d 'Build a from-scratch image of this gaia, to run `gaia watch` in the stack'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "history" -d 'Show the promotion audit log'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "ha" -d 'Manage the HA hot standbys and the maintenance flag'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "failover-test" -d 'Stop a live service on purpose, prove its standby serves, and put it back'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "init" -d 'Draft services.toml from the compose files in the root'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "sim" -d 'Run a simulated GAIA stack on the local Docker engine, to rehearse on'
complete -c gaia -n "__fish_gaia_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand completions" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand man" -l dir -d 'Write gaia.1 and a gaia-<command>.1 page for every command here' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand man" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand man" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l category -d 'Run only these categories of checks (repeatable, or a comma list)' -r -f -a "preflight\t''
containers\t''
http\t''
ha\t''
connectivity\t''
volumes\t''
library\t''
sessions\t''
resources\t''
gpu\t''
model\t''
images\t''
consistency\t''
custom\t''"
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l fail-on -d 'What makes the run fail: warnings too, or only failures' -r -f -a "warn\t'Warnings make the run fail (exit 2)'
fail\t'Only failures make the run fail (exit 2; warnings exit 1)'"
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l output -d 'Write the report to FILE instead of standard output' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l deadline -d 'Deadline for the whole run: the report comes by then, whatever the engine does' -r
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l format -d 'Output format' -r -f -a "human\t''
json\t''
junit\t'JUnit XML, one test suite per category'"
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l service -d 'Check only these services (repeatable, or a comma list)' -r -f -a "gaia-orchestrator\t''
gaia-prime\t''
gaia-core\t''
gaia-web\t''
gaia-mcp\t''
gaia-study\t''
gaia-audio\t''
gaia-wiki\t''
gaia-core-candidate\t''
gaia-mcp-candidate\t''
gaia-web-candidate\t''
gaia-study-candidate\t''
gaia-orchestrator-candidate\t''
gaia-prime-candidate\t''
gaia-audio-candidate\t''
gaia-common\t''"
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l list-checks -d 'List the checks that would run, without running them'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l fix -d 'Repair what is safe to repair, in dependency order, then check again'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -l dry-run -d 'With --fix: print the repair plan and change nothing'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l gate-timeout -d 'Deadline of the health gate (default: the service\'s healthcheck start budget plus a margin)' -r
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l list -d 'List what can be promoted, and how'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l validate -d 'Run the Python validators in a throwaway image of the candidate first'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l test -d 'Require the running candidate to answer its health check first'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l no-restart -d 'Promote, but do not restart live (it keeps running the old version)'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l no-backup -d 'Skip the backup (a failed gate then cannot restore the files)'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l force -d 'Promote even when the sync gate blocks'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -s y -l yes -d 'With --no-backup or --force: go ahead without asking (off a terminal they refuse without it)'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -l dry-run -d 'Print the plan and change nothing'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_using_subcommand promote" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l to -d 'Put back this kept version instead: its id, or 4 or more of its first characters, as `--list` and `gaia history` show it' -r
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l gate-timeout -d 'Deadline of the health gate (default: the service\'s healthcheck start budget plus a margin)' -r
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l list -d 'List the service\'s kept versions, newest first, and change nothing'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -s y -l yes -d 'Go ahead without asking (off a terminal, as in CI, the command refuses without it)'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -l dry-run -d 'Print what would be done, and change nothing (no lock is taken)'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l interval -d 'How often the doctor runs (15s, 1m; at least 100ms)' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l listen -d 'Address to serve /, /healthz, /report.json and /metrics on' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l notify -d 'Post an alert to URL when checks change state (repeatable, or a comma list)' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l deadline -d 'Deadline for each run: its report comes by then, whatever the engine does' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l deep-every -d 'Look inside the containers (stat, curl from inside, imports, nvidia-smi: an exec each) every this many runs, and at once when a container changed; in between, checks that passed give what they saw' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l maintenance-limit -d 'Alert once when the maintenance flag has been there longer than this (failover is off meanwhile)' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l heal-after -d 'Failing runs in a row before a service is repaired' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l grace -d 'No repair while a service\'s container started less than this ago' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l cooldown -d 'No repair of a service sooner than this after its last one' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l max-repairs -d 'At most this many repairs of a service per --repair-window; then its circuit opens' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l repair-window -d 'The window --max-repairs counts in; an open circuit closes once it has passed' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l service -d 'Watch only these services (repeatable, or a comma list)' -r -f -a "gaia-orchestrator\t''
gaia-prime\t''
gaia-core\t''
gaia-web\t''
gaia-mcp\t''
gaia-study\t''
gaia-audio\t''
gaia-wiki\t''
gaia-core-candidate\t''
gaia-mcp-candidate\t''
gaia-web-candidate\t''
gaia-study-candidate\t''
gaia-orchestrator-candidate\t''
gaia-prime-candidate\t''
gaia-audio-candidate\t''
gaia-common\t''"
complete -c gaia -n "__fish_gaia_using_subcommand watch" -l heal -d 'Repair services that keep failing, as `gaia doctor --fix` would, within the limits below'
complete -c gaia -n "__fish_gaia_using_subcommand watch" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand watch" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_using_subcommand watch" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand image" -l tag -d 'The image\'s tag' -r
complete -c gaia -n "__fish_gaia_using_subcommand image" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand image" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand image" -l dry-run -d 'Say what the image would hold, and build nothing'
complete -c gaia -n "__fish_gaia_using_subcommand image" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand image" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand image" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_using_subcommand image" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand history" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand history" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand history" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand history" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand history" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand history" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand history" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand history" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand history" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand history" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -f -a "start" -d 'Prepare the standbys\' shared directories, start them, wait until healthy, verify the wiring'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -f -a "stop" -d 'Stop and remove the HA standby containers, and nothing else'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -f -a "status" -d 'Show live ↔ standby pairs, health, wiring, maintenance mode and the orchestrator\'s view'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -f -a "maintenance" -d 'Turn maintenance mode (no failover) on or off, or show it'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and not __fish_seen_subcommand_from start stop status maintenance help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l health-timeout -d 'How long to wait for the standbys to become healthy' -r
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -l dry-run -d 'Print what would be done, and change nothing (no lock is taken)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -s y -l yes -d 'Go ahead without asking (off a terminal, as in CI, the command refuses without it)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -l dry-run -d 'Print what would be done, and change nothing (no lock is taken)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -f -a "on" -d 'Turn failover off: write the flag, with who set it, when, why and until when'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -f -a "off" -d 'Turn failover on again: remove the flag'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -f -a "status" -d 'Show whether maintenance mode is on, who set it, when, why and until when'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from maintenance" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from help" -f -a "start" -d 'Prepare the standbys\' shared directories, start them, wait until healthy, verify the wiring'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop and remove the HA standby containers, and nothing else'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show live ↔ standby pairs, health, wiring, maintenance mode and the orchestrator\'s view'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from help" -f -a "maintenance" -d 'Turn maintenance mode (no failover) on or off, or show it'
complete -c gaia -n "__fish_gaia_using_subcommand ha; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l payload -d 'JSON body to send through the front instead of the built-in request (checks/ha.toml)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l serve-timeout -d 'How long the request through the front, and the target\'s return to health, may each take' -r
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l hold -d 'Keep the target stopped this long after the standby served, to watch failover mode' -r
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l service -d 'The live service to stop (one with an HA standby)' -r -f -a "gaia-orchestrator\t''
gaia-prime\t''
gaia-core\t''
gaia-web\t''
gaia-mcp\t''
gaia-study\t''
gaia-audio\t''
gaia-wiki\t''
gaia-core-candidate\t''
gaia-mcp-candidate\t''
gaia-web-candidate\t''
gaia-study-candidate\t''
gaia-orchestrator-candidate\t''
gaia-prime-candidate\t''
gaia-audio-candidate\t''
gaia-common\t''"
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l recover -d 'Put back what an interrupted drill left stopped, from its journal'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -s y -l yes -d 'Go ahead without asking (off a terminal, as in CI, the command refuses without it)'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -l dry-run -d 'Print what would be done, and change nothing (no lock is taken)'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_using_subcommand failover-test" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand init" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand init" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand init" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand init" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand init" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand init" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand init" -l write -d 'Write the draft to <root>/services.toml (atomically)'
complete -c gaia -n "__fish_gaia_using_subcommand init" -l diff -d 'Show how the draft differs from the registry in use (--config, or the built-in one)'
complete -c gaia -n "__fish_gaia_using_subcommand init" -l force -d 'With --write: replace a services.toml that differs from the draft'
complete -c gaia -n "__fish_gaia_using_subcommand init" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand init" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gaia -n "__fish_gaia_using_subcommand init" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -f -a "up" -d 'Build the simulated images if needed, start the live stack and wait until it is healthy'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -f -a "down" -d 'Remove every container, network and volume the simulated stack created'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -f -a "status" -d 'Show the simulated containers, their state and health'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -f -a "fault" -d 'Break the simulated stack in a way the doctor must notice'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -f -a "heal" -d 'Undo every injected fault and wait until the stack is healthy again'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and not __fish_seen_subcommand_from up down status fault heal help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l scale -d 'Add N light services, and a registry naming them (services.scaled.toml in the root), to measure the doctor on a large stack' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l health-interval -d 'How often Docker runs the containers\' healthchecks (the real stack: 30s)' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l retry-base-delay -d 'First delay of web\'s retry backoff towards core (doubles on each retry)' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l health-timeout -d 'How long to wait for the containers to become healthy' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -l ha -d 'Also start the HA hot standbys (gaia-core-candidate, gaia-mcp-candidate)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from up" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -l images -d 'Also remove the simulated images'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from down" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l service -d 'The service (or its container) to break, instead of the fault\'s usual target' -r -f -a "gaia-orchestrator\t''
gaia-prime\t''
gaia-core\t''
gaia-web\t''
gaia-mcp\t''
gaia-study\t''
gaia-audio\t''
gaia-wiki\t''
gaia-core-candidate\t''
gaia-mcp-candidate\t''
gaia-web-candidate\t''
gaia-study-candidate\t''
gaia-orchestrator-candidate\t''
gaia-prime-candidate\t''
gaia-audio-candidate\t''
gaia-common\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -l list -d 'List the faults that can be injected'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from fault" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l health-timeout -d 'How long to wait for the containers to become healthy' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l config -d 'Service registry to use instead of the built-in description of GAIA' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l root -d 'GAIA project root: compose files, candidates/, gaia-common/' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l checks -d 'Your checks files, laid over the built-in ones (default: .gaia/checks in the GAIA root)' -r -F
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l color -d 'When to colour the output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -l wait -d 'Commands that change live: wait up to this long (30s, 10m) for another gaia command to release the root\'s lock, instead of exiting 4' -r
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -s v -l verbose -d 'Say more (repeat for debug logs)'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -s q -l quiet -d 'Say only what went wrong'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -s h -l help -d 'Print help'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from heal" -s V -l version -d 'Print version'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "up" -d 'Build the simulated images if needed, start the live stack and wait until it is healthy'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "down" -d 'Remove every container, network and volume the simulated stack created'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the simulated containers, their state and health'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "fault" -d 'Break the simulated stack in a way the doctor must notice'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "heal" -d 'Undo every injected fault and wait until the stack is healthy again'
complete -c gaia -n "__fish_gaia_using_subcommand sim; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "completions" -d 'Print a shell completion script'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "man" -d 'Print gaia\'s manual page, or write one page per command into a directory'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "doctor" -d 'Check the health of the live and candidate stacks, every check at once'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "promote" -d 'Move a candidate into live: validated, gated, rolled back automatically on failure'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "rollback" -d 'Put back the version the last promotion replaced, or an older kept one'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "watch" -d 'Run the doctor every interval and serve its findings: a guardian for the stack'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "image" -d 'Build a from-scratch image of this gaia, to run `gaia watch` in the stack'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "history" -d 'Show the promotion audit log'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "ha" -d 'Manage the HA hot standbys and the maintenance flag'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "failover-test" -d 'Stop a live service on purpose, prove its standby serves, and put it back'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "init" -d 'Draft services.toml from the compose files in the root'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "sim" -d 'Run a simulated GAIA stack on the local Docker engine, to rehearse on'
complete -c gaia -n "__fish_gaia_using_subcommand help; and not __fish_seen_subcommand_from completions man doctor promote rollback watch image history ha failover-test init sim help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from ha" -f -a "start" -d 'Prepare the standbys\' shared directories, start them, wait until healthy, verify the wiring'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from ha" -f -a "stop" -d 'Stop and remove the HA standby containers, and nothing else'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from ha" -f -a "status" -d 'Show live ↔ standby pairs, health, wiring, maintenance mode and the orchestrator\'s view'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from ha" -f -a "maintenance" -d 'Turn maintenance mode (no failover) on or off, or show it'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "up" -d 'Build the simulated images if needed, start the live stack and wait until it is healthy'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "down" -d 'Remove every container, network and volume the simulated stack created'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "status" -d 'Show the simulated containers, their state and health'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "fault" -d 'Break the simulated stack in a way the doctor must notice'
complete -c gaia -n "__fish_gaia_using_subcommand help; and __fish_seen_subcommand_from sim" -f -a "heal" -d 'Undo every injected fault and wait until the stack is healthy again'
