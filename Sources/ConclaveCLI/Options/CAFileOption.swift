import ArgumentParser

/// `--ca-file`: the CA that signs a `wss://` server's certificate. `register` and `server add`
/// remember it in config.toml; any networked verb takes it for one run.
struct CAFileOption: ParsableArguments {
    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "PEM file of the CA that signs a wss:// server's certificate (private CA or self-signed; default: the one `register` or `server add` remembered).",
            valueName: "path"))
    var caFile: String?
}
