/// The form's script: rendering, live checks and sealing with Web Crypto. Inline in the page,
/// allowed by its hash in the Content-Security-Policy.
enum FormScript {
    static let source = #"""
        "use strict";
        (function () {
        const D = JSON.parse(document.getElementById("mosaic-data").textContent);
        const subtle = globalThis.crypto && globalThis.crypto.subtle;
        const enc = new TextEncoder();
        let lang = D.language;
        const values = new Map(); // cell index -> raw text typed
        let nothing = false;
        let saving = false;

        // ---- bytes -------------------------------------------------------------------------------
        function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }
        function fromHex(h) { const out = new Uint8Array(h.length / 2); for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16); return out; }
        function fromB64(s) { const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/")); const out = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; }
        function concat(...parts) { let n = 0; for (const p of parts) n += p.length; const out = new Uint8Array(n); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; }
        function u16(n) { return new Uint8Array([(n >> 8) & 0xff, n & 0xff]); }
        function u32(n) { return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]); }
        function u64(n) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; }

        // ---- HPKE (RFC 9180) base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM --------
        const X25519_PKCS8 = fromHex("302e020100300506032b656e04220420");
        const ED25519_PKCS8 = fromHex("302e020100300506032b657004220420");
        async function hmac(key, data) {
          // HMAC pads a key with zeros to its block: an empty salt is the RFC's Nh zero bytes.
          const k = await subtle.importKey("raw", key.length ? key : new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
          return new Uint8Array(await subtle.sign("HMAC", k, data));
        }
        const HPKE_V1 = enc.encode("HPKE-v1");
        function labeledExtract(suite, salt, label, ikm) { return hmac(salt, concat(HPKE_V1, suite, enc.encode(label), ikm)); }
        async function labeledExpand(suite, prk, label, info, length) {
          const t = await hmac(prk, concat(u16(length), HPKE_V1, suite, enc.encode(label), info, new Uint8Array([1])));
          return t.slice(0, length);
        }
        async function x25519Ephemeral(fixedSecret) {
          if (fixedSecret) {
            const sk = await subtle.importKey("pkcs8", concat(X25519_PKCS8, fixedSecret), { name: "X25519" }, true, ["deriveBits"]);
            const jwk = await subtle.exportKey("jwk", sk);
            return { sk, pk: fromB64(jwk.x) };
          }
          const kp = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
          return { sk: kp.privateKey, pk: new Uint8Array(await subtle.exportKey("raw", kp.publicKey)) };
        }
        /// Sets up the sender's context: { enc, key, baseNonce }.
        async function hpkeSetupBase(pkR, info, fixedSecret) {
          const e = await x25519Ephemeral(fixedSecret);
          const pub = await subtle.importKey("raw", pkR, { name: "X25519" }, false, []);
          const dh = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: pub }, e.sk, 256));
          const kem = concat(enc.encode("KEM"), u16(0x0020));
          const eae = await labeledExtract(kem, new Uint8Array(0), "eae_prk", dh);
          const shared = await labeledExpand(kem, eae, "shared_secret", concat(e.pk, pkR), 32);
          const suite = concat(enc.encode("HPKE"), u16(0x0020), u16(0x0001), u16(0x0001));
          const pskIdHash = await labeledExtract(suite, new Uint8Array(0), "psk_id_hash", new Uint8Array(0));
          const infoHash = await labeledExtract(suite, new Uint8Array(0), "info_hash", info);
          const context = concat(new Uint8Array([0]), pskIdHash, infoHash);
          const secret = await labeledExtract(suite, shared, "secret", new Uint8Array(0));
          const key = await labeledExpand(suite, secret, "key", context, 16);
          const baseNonce = await labeledExpand(suite, secret, "base_nonce", context, 12);
          return { enc: e.pk, key, baseNonce };
        }
        async function aesGcmSeal(key, nonce, aad, pt) {
          const k = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
          return new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad, tagLength: 128 }, k, pt));
        }
        async function hpkeSealBase(pkR, info, aad, pt, fixedSecret) {
          const ctx = await hpkeSetupBase(pkR, info, fixedSecret);
          return { enc: ctx.enc, key: ctx.key, baseNonce: ctx.baseNonce, ct: await aesGcmSeal(ctx.key, ctx.baseNonce, aad, pt) };
        }
        async function ed25519Sign(seed, message) {
          const k = await subtle.importKey("pkcs8", concat(ED25519_PKCS8, seed), { name: "Ed25519" }, false, ["sign"]);
          return new Uint8Array(await subtle.sign({ name: "Ed25519" }, k, message));
        }

        // ---- the package (format version 1, suite 2) ------------------------------------------------
        async function sealPackage(content, sealedAt, fixed, keys) {
          const P = Object.assign({}, D.package, keys || {});
          const info = enc.encode(P.info);
          const pkR = fromB64(P.authority_public_key);
          const ctx = await hpkeSetupBase(pkR, info, fixed && fixed.ephemeral);
          const header = concat(enc.encode(P.magic), new Uint8Array([P.format_version, P.suite]), fromHex(P.authority_fingerprint), ctx.enc);
          const school = enc.encode(P.school_id);
          const nonce = fixed ? fixed.nonce : crypto.getRandomValues(new Uint8Array(16));
          const body = concat(enc.encode("MSI1"), new Uint8Array([school.length]), school, fromHex(P.signer_fingerprint),
            u64(sealedAt), nonce, u32(content.length), content);
          if (body.length + 64 > P.inner_size) throw new Error("the counts do not fit in a package");
          const signature = await ed25519Sign(fromB64(P.signing_key), concat(info, header, body));
          const inner = new Uint8Array(P.inner_size);
          inner.set(body, 0);
          inner.set(signature, body.length);
          const ct = await aesGcmSeal(ctx.key, ctx.baseNonce, header, inner);
          return concat(header, ct);
        }
        function canonicalContent(period, counts) {
          let out = "# mosaic-counts codebook=" + D.codebook.version + "\nschool_id,period,table,cell,count\n";
          for (const c of D.codebook.cells) out += D.school.id + "," + period + "," + c.table + "," + c.code + "," + counts[c.index] + "\n";
          return enc.encode(out);
        }

        // ---- words --------------------------------------------------------------------------------
        function t(key, args) {
          let s = (D.strings[lang] && D.strings[lang][key]) || D.strings.en[key] || key;
          if (args) for (const k in args) s = s.split("{" + k + "}").join(String(args[k]));
          return s;
        }
        function label(obj) { return obj[lang] || obj.en; }
        function dim(name) { return D.codebook.dimensions.find((d) => d.name === name); }
        function valueLabel(dname, code) { return label(dim(dname).values.find((v) => v.code === code).label); }
        function tableOf(name) { return D.codebook.tables.find((x) => x.name === name); }
        function cellLabel(c) {
          const table = tableOf(c.table);
          return label(table.label) + " — " + c.values.map((v, i) => valueLabel(table.dimensions[i], v)).join(" · ");
        }
        function cellShortLabel(c) {
          const table = tableOf(c.table);
          return c.values.map((v, i) => valueLabel(table.dimensions[i], v)).join(" · ");
        }
        function periodLabel(p) {
          const m = /^([0-9]{4})-Q([1-4])$/.exec(p);
          if (!m) return p;
          return t("quarter_" + m[2], { year: m[1] });
        }
        function el(tag, attrs, ...children) {
          const e = document.createElement(tag);
          if (attrs) for (const k in attrs) { if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); }
          for (const c of children) if (c) e.appendChild(c);
          return e;
        }

        // ---- state --------------------------------------------------------------------------------
        let lastSaved = null; // { file, period, counts (null: nothing happened), at }
        let savedMessage = null; // { key, args }

        // ---- rendering ----------------------------------------------------------------------------
        function render() {
          document.documentElement.lang = lang;
          document.title = t("title") + " — " + D.school.name;
          for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.getAttribute("data-t"));
          const switcher = document.getElementById("lang");
          switcher.setAttribute("lang", lang === "en" ? "es" : "en");
          document.getElementById("keys-note").textContent = t("keys_note", { fingerprint: D.package.authority_fingerprint });
          const tables = document.getElementById("tables");
          tables.textContent = "";
          for (const table of D.codebook.tables) tables.appendChild(renderTable(table));
          const sel = document.getElementById("period");
          const chosen = sel.value;
          sel.textContent = "";
          sel.appendChild(el("option", { value: "", text: t("choose_period") }));
          for (const p of D.periods) {
            const o = el("option", { value: p, text: periodLabel(p) });
            if (p === chosen) o.selected = true;
            sel.appendChild(o);
          }
          if (!supported) document.getElementById("unsupported").textContent = t("unsupported");
          document.getElementById("saved").textContent = savedMessage ? t(savedMessage.key, savedMessage.args) : "";
          update();
        }
        function renderTable(table) {
          const cells = D.codebook.cells.filter((c) => c.table === table.name);
          const section = el("section", { class: "table", id: "t-" + table.name, "aria-labelledby": "h-" + table.name });
          section.appendChild(el("h2", { id: "h-" + table.name, tabindex: "-1", text: label(table.label) }));
          section.appendChild(el("p", { class: "note", text: table.multi_valued ? t("responses_note") : t("persons_note") }));
          const dims = table.dimensions;
          const colDim = dims.length >= 2 ? dims[dims.length - 1] : null;
          const rowDim = dims.length >= 2 ? dims[dims.length - 2] : dims[0];
          const blockDims = dims.slice(0, Math.max(0, dims.length - 2));
          const blocks = new Map();
          for (const c of cells) {
            const key = c.values.slice(0, blockDims.length).join(".");
            if (!blocks.has(key)) blocks.set(key, []);
            blocks.get(key).push(c);
          }
          for (const [key, bcells] of blocks) {
            const slug = table.name + "-" + (key || "all").replace(/\./g, "-");
            const wrap = el("div", { class: "grid-wrap" });
            const grid = el("table", { class: "grid" + (colDim ? " wide" : "") });
            const captionText = blockDims.length
              ? key.split(".").map((v, i) => label(dim(blockDims[i]).label) + ": " + valueLabel(blockDims[i], v)).join(" · ")
              : label(dim(rowDim).label);
            const capId = "cap-" + slug;
            grid.appendChild(el("caption", { id: capId, text: captionText }));
            const rows = [...new Set(bcells.map((c) => c.values[dims.indexOf(rowDim)]))];
            const cols = colDim ? [...new Set(bcells.map((c) => c.values[dims.length - 1]))] : [null];
            const head = el("tr", null, el("td"));
            for (const col of cols) {
              const id = "col-" + slug + "-" + (col || "n");
              head.appendChild(el("th", { scope: "col", id, text: col ? valueLabel(colDim, col) : t(table.multi_valued ? "persons_with_response" : "persons") }));
            }
            grid.appendChild(el("thead", null, head));
            const body = el("tbody");
            for (const row of rows) {
              const rowId = "row-" + slug + "-" + row;
              const tr = el("tr", null, el("th", { scope: "row", id: rowId, text: valueLabel(rowDim, row) }));
              for (const col of cols) {
                const c = bcells.find((x) => x.values[dims.indexOf(rowDim)] === row && (col === null || x.values[dims.length - 1] === col));
                const colId = "col-" + slug + "-" + (col || "n");
                const input = el("input", {
                  type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false", id: "c" + c.index, "data-cell": String(c.index),
                  "aria-labelledby": "h-" + table.name + " " + (blockDims.length ? capId + " " : "") + rowId + (col ? " " + colId : ""),
                  "aria-describedby": "e" + c.index, size: "4", maxlength: "9",
                });
                if (values.has(c.index)) input.value = values.get(c.index);
                input.addEventListener("input", () => { values.set(c.index, input.value); edited(); });
                tr.appendChild(el("td", null, input, el("span", { id: "e" + c.index, class: "cell-error" })));
              }
              body.appendChild(tr);
            }
            grid.appendChild(body);
            wrap.appendChild(grid);
            section.appendChild(wrap);
          }
          if (!table.multi_valued) section.appendChild(el("p", { class: "running-total", id: "total-" + table.name }));
          return section;
        }

        // ---- checks (the same rules as `mosaic validate` with a registry) ---------------------------
        function parseCell(raw) {
          const s = raw.trim();
          if (s === "") return { empty: true };
          if (/^[0-9]+$/.test(s)) { const v = Number(s); return v > D.maximum_count ? { error: "too_large" } : { value: v }; }
          if (/^-\s*[0-9.,]+$/.test(s)) return { error: "negative" };
          if (/^[0-9]+,[0-9]+$/.test(s)) return { error: "decimal_comma" };
          return { error: "not_whole" };
        }
        function check() {
          const problems = []; // { text, cell?, table?, target }
          const counts = new Array(D.codebook.cells.length).fill(0);
          const filled = {};
          const cellProblems = new Map(); // cell index -> short text shown beside the cell
          const tablesWithBadCells = new Set();
          const period = document.getElementById("period").value;
          if (!D.periods.includes(period)) problems.push({ text: t("p_period"), target: "period" });
          if (nothing) return { problems, counts, filled, cellProblems, period };
          for (const c of D.codebook.cells) {
            const raw = values.get(c.index) || "";
            const p = parseCell(raw);
            if (p.empty) continue;
            filled[c.table] = true;
            let key = null;
            if (p.error === "decimal_comma") key = "p_decimal_comma";
            else if (p.error === "negative") key = "p_negative";
            else if (p.error === "too_large" || (p.value !== undefined && p.value > D.school.enrolment)) key = "p_too_large";
            else if (p.error) key = "p_not_whole";
            if (key) {
              const args = { cell: cellLabel(c), value: raw.trim(), enrolment: D.school.enrolment };
              cellProblems.set(c.index, t(key + "_short", args));
              problems.push({ text: t(key, args), cell: c.index });
              tablesWithBadCells.add(c.table);
            } else counts[c.index] = p.value;
          }
          if (Object.keys(filled).length === 0) {
            problems.push({ text: t("p_nothing_entered"), target: "nothing" });
            return { problems, counts, filled, cellProblems, period };
          }
          for (const table of D.codebook.tables)
            if (!filled[table.name]) problems.push({ text: t("p_table_empty", { table: label(table.label) }), table: table.name });
          const total = (name) => D.codebook.cells.filter((c) => c.table === name).reduce((s, c) => s + counts[c.index], 0);
          const tableLabel = (name) => label(tableOf(name).label);
          const eq = D.codebook.rules.equal_totals;
          // A rule between tables is checked only on tables whose cells are all readable.
          const usable = (name) => filled[name] && !tablesWithBadCells.has(name);
          if (eq.length && usable(eq[0])) {
            const ref = total(eq[0]);
            if (ref > D.school.enrolment) problems.push({ text: t("p_persons_above_enrolment", { n: ref, enrolment: D.school.enrolment }), table: eq[0] });
            for (const name of eq.slice(1)) if (usable(name) && total(name) !== ref)
              problems.push({ text: t("p_totals", { a: tableLabel(eq[0]), na: ref, b: tableLabel(name), nb: total(name) }), table: name });
          }
          const capName = D.codebook.rules.at_most_total.total_of;
          if (usable(capName)) {
            const cap = total(capName);
            for (const name of D.codebook.rules.at_most_total.tables) if (usable(name))
              for (const c of D.codebook.cells) if (c.table === name && counts[c.index] > cap) {
                problems.push({ text: t("p_above_total", { cell: cellLabel(c), n: cap }), cell: c.index });
                cellProblems.set(c.index, t("p_above_total_short", { n: cap }));
              }
          }
          return { problems, counts, filled, cellProblems, period };
        }
        function focusTarget(p) {
          const id = p.cell !== undefined ? "c" + p.cell : p.table ? "h-" + p.table : p.target;
          const node = id && document.getElementById(id);
          if (node) node.focus();
        }
        let lastAnnounced = "";
        function update() {
          const r = check();
          for (const input of document.querySelectorAll("input[data-cell]")) {
            const i = Number(input.getAttribute("data-cell"));
            input.disabled = nothing;
            const bad = !nothing && r.cellProblems.has(i);
            input.setAttribute("aria-invalid", bad ? "true" : "false");
            document.getElementById("e" + i).textContent = bad ? r.cellProblems.get(i) : "";
          }
          for (const table of D.codebook.tables) {
            const node = document.getElementById("total-" + table.name);
            if (!node) continue;
            const n = D.codebook.cells.filter((c) => c.table === table.name).reduce((s, c) => s + r.counts[c.index], 0);
            node.textContent = t("total") + ": " + (nothing ? 0 : n);
          }
          const list = document.getElementById("problems-list");
          list.textContent = "";
          for (const p of r.problems) {
            const a = el("a", { href: "#", text: p.text });
            a.addEventListener("click", (ev) => { ev.preventDefault(); focusTarget(p); });
            list.appendChild(el("li", null, a));
          }
          const ok = r.problems.length === 0;
          document.getElementById("problems").hidden = ok;
          document.getElementById("ready").hidden = !ok;
          const save = document.getElementById("save");
          save.setAttribute("aria-disabled", ok && !saving && supported ? "false" : "true");
          const persons = D.codebook.cells.filter((c) => c.table === D.codebook.rules.equal_totals[0]).reduce((s, c) => s + r.counts[c.index], 0);
          document.getElementById("summary").textContent = D.periods.includes(r.period)
            ? t(nothing ? "summary_nothing" : "summary", { period: periodLabel(r.period), n: persons })
            : "";
          const print = document.getElementById("print");
          print.setAttribute("aria-disabled", lastSaved ? "false" : "true");
          document.getElementById("print-hint").hidden = !!lastSaved;
          const summary = ok ? t("no_problems") : t("problems_count", { n: r.problems.length }) + " " + r.problems[0].text;
          if (summary !== lastAnnounced) { document.getElementById("status").textContent = summary; lastAnnounced = summary; }
          document.body.classList.toggle("nothing", nothing);
          return r;
        }
        /// Any change after a save: the saved message no longer describes what is on screen.
        function edited() {
          if (savedMessage) { savedMessage = null; document.getElementById("saved").textContent = ""; }
          update();
        }

        // ---- saving -------------------------------------------------------------------------------
        let supported = true;
        async function checkSupport() {
          try {
            if (!subtle) throw new Error("no subtle");
            await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
            await subtle.importKey("pkcs8", concat(ED25519_PKCS8, new Uint8Array(32)), { name: "Ed25519" }, false, ["sign"]);
          } catch (e) {
            supported = false;
            const u = document.getElementById("unsupported");
            u.hidden = false;
            u.textContent = t("unsupported");
          }
          update();
        }
        function download(bytes, name) {
          const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
          const a = el("a", { href: url, download: name });
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 60000);
        }
        async function save() {
          const r = update();
          if (saving || !supported) return;
          if (r.problems.length) { focusTarget(r.problems[0]); return; }
          saving = true;
          const status = document.getElementById("saved");
          status.textContent = t("saving");
          update();
          try {
            const counts = nothing ? new Array(D.codebook.cells.length).fill(0) : r.counts;
            const content = canonicalContent(r.period, counts);
            const pkg = await sealPackage(content, Math.floor(Date.now() / 1000));
            const name = "mosaic-" + hex(crypto.getRandomValues(new Uint8Array(4))) + ".mpkg";
            download(pkg, name);
            lastSaved = { file: name, period: r.period, counts: nothing ? null : counts.slice(), at: new Date() };
            savedMessage = { key: "saved", args: { file: name, period: periodLabel(r.period) } };
            renderRecord();
          } catch (e) {
            savedMessage = null;
            status.textContent = String((e && e.message) || e);
          } finally {
            saving = false;
            if (savedMessage) status.textContent = t(savedMessage.key, savedMessage.args);
            update();
          }
        }
        /// The paper record: what the last saved package holds, never what is on screen since.
        function renderRecord() {
          const rec = document.getElementById("record");
          rec.textContent = "";
          if (!lastSaved) return;
          rec.appendChild(el("h2", { text: t("record_title") }));
          rec.appendChild(el("p", { text: t("school") + ": " + D.school.name + " (" + D.school.id + ")" }));
          rec.appendChild(el("p", { text: t("period") + ": " + periodLabel(lastSaved.period) }));
          rec.appendChild(el("p", { text: t("record_file", { file: lastSaved.file, at: lastSaved.at.toLocaleString(lang === "es" ? "es-ES" : "en-GB") }) }));
          if (!lastSaved.counts) { rec.appendChild(el("p", { text: t("nothing") })); return; }
          for (const table of D.codebook.tables) {
            const cells = D.codebook.cells.filter((c) => c.table === table.name);
            const section = el("div", { class: "record-table" }, el("h3", { text: label(table.label) }));
            const ul = el("ul");
            for (const c of cells) if (lastSaved.counts[c.index] > 0) ul.appendChild(el("li", { text: cellShortLabel(c) + ": " + lastSaved.counts[c.index] }));
            if (!ul.children.length) ul.appendChild(el("li", { text: t("record_none") }));
            section.appendChild(ul);
            if (!table.multi_valued) section.appendChild(el("p", { text: t("total") + ": " + cells.reduce((s, c) => s + lastSaved.counts[c.index], 0) }));
            rec.appendChild(section);
          }
        }

        // ---- wiring -------------------------------------------------------------------------------
        document.getElementById("lang").addEventListener("click", () => { lang = lang === "en" ? "es" : "en"; render(); renderRecord(); });
        // "Nothing happened" keeps what was typed (greyed out): unticking brings it back.
        document.getElementById("nothing").addEventListener("change", (e) => { nothing = e.target.checked; edited(); });
        document.getElementById("period").addEventListener("change", edited);
        document.getElementById("save").addEventListener("click", save);
        document.getElementById("print").addEventListener("click", () => { if (lastSaved) { renderRecord(); window.print(); } });
        // Nothing typed outlives the tab: no storage is used, and the fields are emptied when it closes.
        window.addEventListener("pagehide", () => { values.clear(); for (const i of document.querySelectorAll("input")) i.value = ""; });
        render();
        checkSupport();
        // Hooks for the tests that check this code against RFC 9180 / RFC 8032 and against Swift.
        globalThis.MosaicFormCrypto = {
          hpkeSealBase: async (pkR, info, aad, pt, skE) => { const r = await hpkeSealBase(fromHex(pkR), fromHex(info), fromHex(aad), fromHex(pt), fromHex(skE)); return { enc: hex(r.enc), key: hex(r.key), base_nonce: hex(r.baseNonce), ct: hex(r.ct) }; },
          ed25519Sign: async (seed, msg) => hex(await ed25519Sign(fromHex(seed), fromHex(msg))),
          sealNow: async (contentHex) => hex(await sealPackage(fromHex(contentHex), Math.floor(Date.now() / 1000))),
          sealPackage: async (keys, contentHex, sealedAt, skE, nonce) => hex(await sealPackage(fromHex(contentHex), sealedAt, { ephemeral: fromHex(skE), nonce: fromHex(nonce) }, keys)),
        };
        })();
        """#
}
