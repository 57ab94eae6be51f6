import ArgumentParser

/// `--json` for verbs that print listings.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document instead of a table (stable for scripts).")
    var json = false
}
