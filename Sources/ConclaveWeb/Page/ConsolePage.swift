/// The console's page: one HTML document, one script and one style sheet, compiled into the
/// binary (no build step, nothing fetched from elsewhere, works offline).
///
/// The script sets every peer-controlled string as text (`textContent`, text nodes, attribute
/// values), never as markup; the Content-Security-Policy forbids inline script and any other
/// origin besides.
enum ConsolePage {
    /// The document, with the token in the URLs of its script and style sheet (a browser loads
    /// them by URL, without the page's `Authorization` header). The token is hex, so it needs no
    /// escaping.
    static func html(token: ConsoleToken) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Conclave console</title>
        <link rel="stylesheet" href="/app.css?token=\(token.text)">
        </head>
        <body>
        <a class="skip" href="#timeline">Skip to messages</a>
        <header>
          <h1>Conclave</h1>
          <form id="search-form" role="search">
            <label for="search">Search messages</label>
            <input id="search" type="search" autocomplete="off">
            <button type="submit">Search</button>
          </form>
          <p id="banner" role="status" aria-live="polite"></p>
        </header>
        <div class="layout">
          <nav id="sidebar" aria-label="Servers and conversations"><p class="empty">Loading…</p></nav>
          <main aria-labelledby="conversation-title">
            <h2 id="conversation-title">No conversation open</h2>
            <p id="conversation-info" class="muted">Pick a channel or a whisper conversation on the left.</p>
            <button id="older" type="button" hidden>Load older messages</button>
            <ol id="timeline" role="log" aria-label="Messages" tabindex="-1"></ol>
            <form id="composer" hidden>
              <label for="message" id="message-label">Message</label>
              <textarea id="message" rows="3" required></textarea>
              <button type="submit">Send</button>
              <p id="composer-status" role="status" aria-live="polite"></p>
            </form>
          </main>
          <aside aria-label="Requests, presence, autonomy and search results">
            <section aria-labelledby="prompts-title">
              <h2 id="prompts-title">Permission requests</h2>
              <ul id="prompts"><li class="empty">None waiting.</li></ul>
            </section>
            <section aria-labelledby="presence-title">
              <h2 id="presence-title">Present</h2>
              <ul id="presence"></ul>
            </section>
            <section aria-labelledby="levels-title">
              <h2 id="levels-title">Autonomy on this machine</h2>
              <div id="levels"></div>
            </section>
            <section aria-labelledby="results-title">
              <h2 id="results-title">Search results</h2>
              <ol id="results"><li class="empty">Search to see matches here.</li></ol>
            </section>
          </aside>
        </div>
        <script src="/app.js?token=\(token.text)"></script>
        </body>
        </html>
        """
    }
}
