/// Outcome of creating or renaming a channel.
public enum ChannelNameOutcome: Sendable, Hashable {
    case done
    case nameTaken
    case notFound
}
