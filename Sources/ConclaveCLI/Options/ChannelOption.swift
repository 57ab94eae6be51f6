import ArgumentParser

/// `--channel <name>`, required by the moderation and membership verbs.
struct ChannelOption: ParsableArguments {
    @Option(help: "The channel.")
    var channel: String
}
