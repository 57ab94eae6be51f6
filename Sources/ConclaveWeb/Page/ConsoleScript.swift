extension ConsolePage {
    /// The script. It talks only to this console's own API with the token from its URL, and puts
    /// every string that came from a server or another machine into the page as text.
    static let javascript = #"""
    "use strict";
    const token = new URLSearchParams(location.search).get("token") || "";
    const levelNames = ["mute", "notify", "converse", "act"];
    let snapshot = null;
    let seq = 0;
    let current = null; // { server, conversation }
    let oldestId = null;

    function el(tag, attributes, ...children) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes || {})) {
        if (name === "class") node.className = value;
        else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
        else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value === true ? "" : String(value));
      }
      for (const child of children) {
        if (child === null || child === undefined) continue;
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
      return node;
    }

    async function api(path, body) {
      const options = { method: body ? "POST" : "GET", cache: "no-store", headers: { "Authorization": "Bearer " + token } };
      if (body) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
      const response = await fetch(path, options);
      const text = await response.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
      if (!response.ok) {
        const reason = (data && data.error && data.error.message) || text || response.statusText;
        throw new Error(reason.trim());
      }
      return data;
    }

    function banner(text) { document.getElementById("banner").textContent = text || ""; }
    function time(ms) { return new Date(ms).toLocaleTimeString(); }
    function serverOf(url) { return snapshot && snapshot.servers.find((s) => s.url === url); }

    const statusWords = {
      connecting: "Connecting…",
      connected: "Connected",
      reconnecting: "Unreachable, reconnecting",
      refused: "Refused by the server",
    };

    function renderSidebar() {
      const nav = document.getElementById("sidebar");
      nav.replaceChildren();
      if (!snapshot.servers.length) {
        nav.append(el("p", { class: "empty" }, "No servers registered. Run conclave register --server URL --username NAME first."));
        return;
      }
      for (const server of snapshot.servers) {
        const section = el("section", { "aria-label": server.url });
        section.append(el("h2", {}, server.url));
        let status = statusWords[server.status] || server.status;
        if (server.status === "connected" && server.path) status += " as " + server.path;
        if (server.detail) status += ": " + server.detail;
        section.append(el("p", { class: "status " + server.status }, status));
        section.append(el("h3", {}, "Channels"));
        const channels = el("ul", {});
        if (!server.channels.length) {
          channels.append(el("li", { class: "empty" }, server.status === "connected" ? "No channels you can read." : "—"));
        }
        for (const channel of server.channels) {
          const conversation = "#" + channel.name;
          const details = [channel.visibility];
          if (channel.encrypted) details.push("end-to-end encrypted");
          if (!channel.joined) details.push("not followed");
          const label = "#" + channel.name + " (" + details.join(", ") + (channel.unread ? ", " + channel.unread + " unread" : "") + ")";
          channels.append(el("li", {}, conversationButton(server.url, conversation, "#" + channel.name, channel.unread, label)));
        }
        section.append(channels);
        section.append(el("h3", {}, "Whispers"));
        const whispers = el("ul", {});
        for (const conversation of server.conversations) {
          const unread = server.unreadWhispers[conversation] || 0;
          const label = "whispers with " + conversation.slice(1) + (unread ? ", " + unread + " unread" : "");
          whispers.append(el("li", {}, conversationButton(server.url, conversation, conversation, unread, label)));
        }
        const form = el("form", { class: "new-whisper" });
        const id = "whisper-to-" + snapshot.servers.indexOf(server);
        form.append(el("label", { for: id }, "Whisper to (user/machine/session)"), el("input", { id: id, autocomplete: "off" }),
                    el("button", { type: "submit" }, "Open"));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const target = form.querySelector("input").value.trim();
          if (target) open(server.url, "@" + target);
        });
        whispers.append(el("li", {}, form));
        section.append(whispers);
        nav.append(section);
      }
    }

    function conversationButton(server, conversation, text, unread, label) {
      const selected = current && current.server === server && current.conversation === conversation;
      return el("button", {
        type: "button", class: "conversation", "aria-label": label, "aria-current": selected ? "true" : false,
        "data-server": server, "data-conversation": conversation, onclick: () => open(server, conversation),
      }, el("span", {}, text), unread ? el("span", { class: "badge", "aria-hidden": "true" }, unread) : null);
    }

    function renderPrompts() {
      const list = document.getElementById("prompts");
      list.replaceChildren();
      if (!snapshot.prompts.length) { list.append(el("li", { class: "empty" }, "None waiting.")); return; }
      for (const prompt of snapshot.prompts) {
        const item = el("li", { class: "prompt", "data-request": prompt.requestID });
        item.append(el("dl", {},
          el("dt", {}, "From"), el("dd", {}, prompt.from),
          el("dt", {}, "Tool"), el("dd", {}, prompt.tool),
          prompt.what ? el("dt", {}, "What") : null, prompt.what ? el("dd", {}, prompt.what) : null,
          prompt.input ? el("dt", {}, "Input") : null, prompt.input ? el("dd", {}, prompt.input) : null));
        const answer = (allow) => async () => {
          try { await api("/api/answer", { prompt: prompt.id, allow }); banner(""); }
          catch (error) { banner("Could not answer: " + error.message); }
          await loadState();
        };
        item.append(el("button", { type: "button", class: "allow", onclick: answer(true), "aria-label": "Allow " + prompt.tool + " for " + prompt.from }, "Allow"), " ",
                    el("button", { type: "button", class: "deny", onclick: answer(false), "aria-label": "Deny " + prompt.tool + " for " + prompt.from }, "Deny"));
        list.append(item);
      }
    }

    function renderPresence() {
      const list = document.getElementById("presence");
      list.replaceChildren();
      const server = current && serverOf(current.server);
      if (!server) { list.append(el("li", { class: "empty" }, "Open a conversation to see who is there.")); return; }
      const channel = current.conversation.startsWith("#") && server.channels.find((c) => "#" + c.name === current.conversation);
      const sessions = channel ? channel.present : server.sessions;
      if (!sessions.length) { list.append(el("li", { class: "empty" }, "Nobody is connected.")); return; }
      const own = server.path ? server.path.split("/").slice(0, 2).join("/") + "/" : null;
      for (const session of sessions) {
        list.append(el("li", {}, session, own && session.startsWith(own) ? " (this machine)" : ""));
      }
    }

    function levelSelect(id, label, value, onChange) {
      const select = el("select", { id: id });
      for (const name of levelNames) select.append(el("option", { value: name, selected: name === value }, name));
      select.addEventListener("change", () => onChange(select.value));
      return [el("label", { for: id }, label), select];
    }

    function renderLevels() {
      const box = document.getElementById("levels");
      box.replaceChildren();
      box.className = "levels";
      const levels = snapshot.levels;
      const set = async (body) => {
        try { await api("/api/level", body); banner(""); } catch (error) { banner("Could not change the level: " + error.message); }
        await loadState();
      };
      box.append(...levelSelect("level-default", "Default for every session", levels.default, (level) => set({ level })));
      if (current) {
        const scope = current.conversation.startsWith("#")
          ? { server: current.server, channel: current.conversation.slice(1) }
          : { server: current.server, whisper: true };
        const override = levels.overrides.find((o) => o.server === current.server &&
          (scope.channel ? o.channel === scope.channel : o.whisper));
        const label = scope.channel ? "For #" + scope.channel + " on this server" : "For whispers on this server";
        box.append(...levelSelect("level-scope", label, override ? override.level : levels.default, (level) => set({ ...scope, level })));
      }
      box.append(el("p", { class: "muted" }, "Running bridges on this machine apply a change within a second or so."));
    }

    function renderMessage(message) {
      const trust = {
        verified: ["✓", "verified"], unverified: ["?", "unverified"], invalid: ["✗", "INVALID SIGNATURE"], sent: ["→", "sent by this console"],
      }[message.trust] || ["?", message.trust];
      const note = message.trustNote ? trust[1] + ": " + message.trustNote : trust[1];
      return el("li", { "data-id": message.id },
        el("div", { class: "meta" },
          el("time", { datetime: new Date(message.tsMs).toISOString() }, time(message.tsMs)),
          el("span", { class: "sender" }, message.sender),
          el("span", { class: "trust-" + message.trust, title: note, "aria-label": note }, trust[0] + (message.trust === "invalid" ? " " + note : "")),
          message.encrypted ? el("span", { "aria-label": "end-to-end encrypted", title: "end-to-end encrypted" }, "🔒") : null),
        el("p", { class: "text" }, message.text));
    }

    async function open(server, conversation) {
      current = { server, conversation };
      oldestId = null;
      document.getElementById("conversation-title").textContent = conversation.startsWith("#") ? conversation : "Whispers with " + conversation.slice(1);
      document.getElementById("conversation-info").textContent = "on " + server;
      document.getElementById("composer").hidden = false;
      document.getElementById("message-label").textContent = conversation.startsWith("#") ? "Message to " + conversation : "Whisper to " + conversation.slice(1);
      await loadMessages();
      renderAll();
      document.getElementById("message").focus();
    }

    async function loadMessages() {
      if (!current) return;
      const query = "/api/messages?server=" + encodeURIComponent(current.server) + "&conversation=" + encodeURIComponent(current.conversation);
      const page = await api(query);
      const timeline = document.getElementById("timeline");
      timeline.replaceChildren(...page.messages.map(renderMessage));
      if (!page.messages.length) timeline.append(el("li", { class: "empty" }, "No messages yet."));
      oldestId = page.messages.length ? page.messages[0].id : null;
      document.getElementById("older").hidden = !page.more;
      timeline.scrollTop = timeline.scrollHeight;
      await markRead();
    }

    async function loadOlder() {
      if (!current || oldestId === null) return;
      const query = "/api/messages?server=" + encodeURIComponent(current.server) + "&conversation=" + encodeURIComponent(current.conversation) + "&before=" + oldestId;
      const page = await api(query);
      const timeline = document.getElementById("timeline");
      timeline.prepend(...page.messages.map(renderMessage));
      if (page.messages.length) oldestId = page.messages[0].id;
      document.getElementById("older").hidden = !page.more;
    }

    async function markRead() {
      if (!current) return;
      try { await api("/api/read", { server: current.server, conversation: current.conversation }); } catch (_) {}
    }

    function renderAll() {
      renderSidebar();
      renderPrompts();
      renderPresence();
      renderLevels();
    }

    async function loadState() {
      snapshot = await api("/api/state");
      renderAll();
      return snapshot;
    }

    async function follow() {
      for (;;) {
        try {
          const reply = await api("/api/events?after=" + seq);
          banner("");
          if (reply.reset) { const state = await loadState(); seq = state.seq; await loadMessages(); continue; }
          let stateChanged = false;
          for (const event of reply.events) {
            seq = Math.max(seq, event.seq);
            if (event.kind === "message") {
              const message = event.message;
              if (current && message.server === current.server && message.conversation === current.conversation) {
                const timeline = document.getElementById("timeline");
                const empty = timeline.querySelector(".empty");
                if (empty) empty.remove();
                timeline.append(renderMessage(message));
                // A busy channel left open does not grow the page without bound.
                while (timeline.children.length > 2000) timeline.firstElementChild.remove();
                timeline.scrollTop = timeline.scrollHeight;
                if (!message.outgoing) await markRead();
              }
              stateChanged = true;
            } else if (event.kind === "history") {
              if (current && event.server === current.server && event.conversation === current.conversation) await loadMessages();
            } else {
              stateChanged = true;
            }
          }
          if (stateChanged) await loadState();
        } catch (error) {
          banner("The console is not answering (" + error.message + "); retrying…");
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    }

    document.getElementById("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = document.getElementById("message");
      const status = document.getElementById("composer-status");
      const text = box.value;
      if (!current || !text.trim()) return;
      const body = current.conversation.startsWith("#")
        ? ["/api/post", { server: current.server, channel: current.conversation.slice(1), text }]
        : ["/api/whisper", { server: current.server, target: current.conversation.slice(1), text }];
      status.textContent = "Sending…";
      try {
        const reply = await api(body[0], body[1]);
        box.value = "";
        status.textContent = reply.detail === "sent" ? "Sent." : "Sent (" + reply.detail + ").";
      } catch (error) {
        status.textContent = "Not sent: " + error.message;
      }
    });

    document.getElementById("message").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) document.getElementById("composer").requestSubmit();
    });

    document.getElementById("older").addEventListener("click", () => loadOlder().catch((error) => banner(error.message)));

    document.getElementById("search-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const query = document.getElementById("search").value.trim();
      const list = document.getElementById("results");
      list.replaceChildren();
      if (!query) return;
      try {
        const reply = await api("/api/search?q=" + encodeURIComponent(query));
        if (!reply.messages.length) list.append(el("li", { class: "empty" }, "No message seen by this console matches."));
        for (const message of reply.messages) {
          list.append(el("li", {},
            el("button", { type: "button", onclick: () => open(message.server, message.conversation) },
               message.conversation + " · " + message.sender + " · " + time(message.tsMs)),
            el("p", { class: "text" }, message.text)));
        }
      } catch (error) {
        list.append(el("li", { class: "empty" }, "Search failed: " + error.message));
      }
    });

    (async () => {
      try {
        const state = await loadState();
        seq = state.seq;
      } catch (error) {
        banner("Could not load the console: " + error.message);
      }
      follow();
    })();
    """#
}
