# JVM options that depend on the command, for bin/faultline and the checkout's ./faultline (both source this).

# The garbage collector for the command "$1 $2", unless FAULTLINE_JAVA_OPTS picks one (the JVM refuses two).
# The collector side (collect, and the benches that measure it) allocates a few hundred bytes per event and
# keeps almost none of them: with the parallel collector's cheaper write barriers it parsed and encoded
# more events per second than with G1 in 8 of 10 paired runs (docs/benchmarks.md, "Garbage collector").
# The analyser, the demo and the rest keep the JVM's default, G1, made for larger heaps and short pauses.
faultline_gc_option() {
  if [[ " ${FAULTLINE_JAVA_OPTS:-} " =~ \ -XX:\+Use(G1|Parallel|Serial|Z|Shenandoah|Epsilon)GC\  ]]; then
    return 0
  fi
  case "${1:-} ${2:-}" in
    "collect "* | "bench parse" | "bench live" | "bench produce") echo "-XX:+UseParallelGC" ;;
  esac
}

# Every JVM option the launchers add for the command "$1 $2". Out of memory, the JVM exits with status 3 at
# once (ExitOnOutOfMemoryError): never 1, which `check` means as "alerts found", and never a half-dead
# analyser whose threads died one by one.
faultline_jvm_options() {
  faultline_gc_option "$@"
  echo "-XX:+ExitOnOutOfMemoryError"
}
