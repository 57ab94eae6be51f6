extension ConsolePage {
    /// The style sheet: system fonts, text and controls at WCAG AA contrast or better, a visible
    /// focus ring, and a single column on narrow screens.
    static let css = #"""
    :root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --paper: #ffffff; --panel: #f3f4f6;
            --accent: #0b57d0; --good: #0a6b2e; --warn: #8a4b00; --bad: #a4161a; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
    .skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: var(--paper); padding: 4px 8px; z-index: 2; }
    header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 8px 16px; border-bottom: 1px solid var(--line); }
    header h1 { font-size: 18px; margin: 0 12px 0 0; }
    #search-form { display: flex; gap: 6px; align-items: center; }
    #banner { margin: 0; color: var(--bad); font-weight: 600; }
    .layout { display: grid; grid-template-columns: 260px 1fr 300px; min-height: calc(100vh - 52px); }
    nav, aside { background: var(--panel); padding: 12px; overflow-y: auto; }
    nav h2 { font-size: 14px; margin: 12px 0 4px; word-break: break-all; }
    nav h3 { font-size: 13px; margin: 10px 0 2px; color: var(--muted); }
    nav ul, aside ul, #results { list-style: none; margin: 0; padding: 0; }
    nav button.conversation { display: flex; justify-content: space-between; width: 100%; text-align: left; background: none;
            border: 0; padding: 4px 6px; border-radius: 4px; font: inherit; color: var(--ink); cursor: pointer; }
    nav button.conversation[aria-current="true"] { background: #dbe4f7; font-weight: 600; }
    .badge { background: var(--accent); color: #fff; border-radius: 10px; padding: 0 7px; font-size: 12px; }
    .status { font-size: 13px; margin: 0 0 4px; }
    .status.connected { color: var(--good); } .status.reconnecting, .status.connecting { color: var(--warn); } .status.refused { color: var(--bad); }
    main { padding: 12px 16px; display: flex; flex-direction: column; min-width: 0; }
    main h2 { margin: 0; font-size: 18px; word-break: break-all; }
    .muted, .empty { color: var(--muted); }
    #timeline { list-style: none; padding: 0; margin: 8px 0; flex: 1; overflow-y: auto; max-height: calc(100vh - 260px); }
    #timeline li { padding: 6px 4px; border-bottom: 1px solid #e4e4e4; }
    .meta { font-size: 13px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 8px; }
    .sender { font-weight: 600; color: var(--ink); word-break: break-all; }
    .trust-verified { color: var(--good); } .trust-unverified { color: var(--warn); } .trust-invalid { color: var(--bad); font-weight: 700; }
    .text { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    #composer { display: grid; gap: 6px; }
    #composer button { justify-self: start; }
    textarea, input, select { font: inherit; color: var(--ink); border: 1px solid #767676; border-radius: 4px; padding: 4px 6px; background: #fff; }
    button { font: inherit; }
    button:not(.conversation) { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 4px 12px; cursor: pointer; }
    button.deny { background: var(--bad); }
    :focus-visible { outline: 3px solid #ffbf47; outline-offset: 1px; }
    aside h2 { font-size: 15px; margin: 14px 0 6px; }
    .prompt { background: #fff; border: 2px solid var(--warn); border-radius: 6px; padding: 8px; margin-bottom: 8px; }
    .prompt dl { margin: 4px 0; } .prompt dt { font-weight: 600; } .prompt dd { margin: 0 0 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .levels label { display: block; margin-top: 6px; }
    #results li button { background: none; color: var(--accent); padding: 0; text-decoration: underline; text-align: left; }
    @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } #timeline { max-height: none; } }
    """#
}
