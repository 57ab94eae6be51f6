/// How `ReadSince` pages history: facts both ends rely on.
public enum HistoryPaging {
    /// The most messages in one `History` page (PROTOCOL.md §6; the reference server's cap too).
    public static let pageLimit = 500

    /// The most payload bytes a Conclave server puts in one page, well under the frame limit.
    /// A page this server cut for size may hold fewer than ``pageLimit`` messages.
    public static let pageBytes = FrameLimits.maxFrameBytes / 2

    /// Whether a page of `count` messages holding `bytes` of payload may not be the last: it is
    /// full by count, or within the largest body of being full by size. Only an empty page is
    /// surely the last; this tells a reader when asking again is worth it.
    public static func mayContinue(count: Int, bytes: Int) -> Bool {
        count >= pageLimit || bytes >= pageBytes / 2
    }
}
