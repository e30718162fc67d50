import Crypto
import Foundation
import MosaicCodebook
import MosaicSeal

/// The offline submission form: one self-contained HTML page per school that checks the counts
/// as `mosaic validate` does and seals them in the browser (Web Crypto: Ed25519 and HPKE with
/// AES-128-GCM, the package format's suite 2).
///
/// The page fetches nothing: its style and script are inline and allowed only by their hashes,
/// and its Content-Security-Policy forbids every connection. It carries the school's signing
/// key, so it is a credential: write it with mode 0600 and hand it to the school only.
public struct FormPage: Sendable {
    /// The school, as the registry knows it.
    public struct School: Sendable {
        /// The id.
        public var id: String
        /// The name shown at the top of the form.
        public var name: String
        /// Registered pupils: no count may exceed it.
        public var enrolment: Int

        /// Makes the value from its parts.
        public init(id: String, name: String, enrolment: Int) {
            self.id = id
            self.name = name
            self.enrolment = enrolment
        }
    }

    /// The school.
    public var school: School
    /// The quarters the school may submit, the first preselected.
    public var periods: [Period]
    /// `en` or `es`: the language the form opens in (it has a switch to the other).
    public var language: String
    /// The codebook whose tables the form asks for.
    public var codebook: Codebook

    /// A form for `school` (its credentials are given to ``html(credentials:)``).
    public init(school: School, periods: [Period], language: String = "en", codebook: Codebook) {
        self.school = school
        self.periods = periods
        self.language = language
        self.codebook = codebook
    }

    /// The quarters a form offers by default: the current one and the one before.
    public static func defaultPeriods(now: Date = Date()) -> [Period] {
        let current = Period.containing(now)
        return [current] + (current.previous.map { [$0] } ?? [])
    }

    /// The page, with the credentials' signing key inside.
    public func html(credentials: Credentials) throws -> String {
        precondition(credentials.schoolID == school.id, "credentials of another school")
        let data = try dataJSON(credentials: credentials)
        let script = FormScript.source
        let style = FormStyle.source
        let csp = [
            "default-src 'none'", "script-src '\(Self.hash(script))'", "style-src '\(Self.hash(style))'", "img-src 'none'",
            "connect-src 'none'", "form-action 'none'", "base-uri 'none'",
        ].joined(separator: "; ")
        let s = language == "es" ? FormStrings.es : FormStrings.en
        func w(_ key: String) -> String { Self.escape(s[key] ?? key) }
        return """
            <!DOCTYPE html>
            <html lang="\(language)">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="\(csp)">
            <meta name="referrer" content="no-referrer">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(w("title")) — \(Self.escape(school.name))</title>
            <style>\(style)</style>
            </head>
            <body>
            <header>
            <div class="top"><h1 data-t="title">\(w("title"))</h1><button type="button" id="lang" lang="\(language == "es" ? "en" : "es")" data-t="lang_switch">\(w("lang_switch"))</button></div>
            <p class="school"><span data-t="school">\(w("school"))</span>: <strong>\(Self.escape(school.name))</strong> (\(Self.escape(school.id))) · <span data-t="enrolment">\(w("enrolment"))</span>: \(school.enrolment)</p>
            <p class="warning" role="note" data-t="credential_warning">\(w("credential_warning"))</p>
            <p id="unsupported" class="warning" role="alert" hidden></p>
            <p data-t="intro">\(w("intro"))</p>
            </header>
            <main>
            <div class="controls">
            <label for="period" data-t="period">\(w("period"))</label> <select id="period"></select>
            </div>
            <div class="nothing-box">
            <input type="checkbox" id="nothing" autocomplete="off"><label for="nothing" data-t="nothing">\(w("nothing"))</label>
            <p class="note" id="nothing-hint" data-t="nothing_hint">\(w("nothing_hint"))</p>
            </div>
            <div id="tables"></div>
            <div class="actions">
            <p id="status" class="visually-hidden" role="status" aria-live="polite"></p>
            <div id="problems" role="region" aria-labelledby="problems-title"><h2 id="problems-title" data-t="problems_title">\(w("problems_title"))</h2><ul id="problems-list"></ul></div>
            <p id="ready" data-t="no_problems" hidden>\(w("no_problems"))</p>
            <p id="summary"></p>
            <button type="button" id="save" class="primary" data-t="save" aria-disabled="true">\(w("save"))</button>
            <button type="button" id="print" data-t="print" aria-disabled="true">\(w("print"))</button>
            <p class="note" id="print-hint" data-t="print_hint">\(w("print_hint"))</p>
            <p id="saved" role="status" aria-live="polite"></p>
            <p class="note" id="keys-note"></p>
            </div>
            <section id="record" aria-live="off"></section>
            </main>
            <script type="application/json" id="mosaic-data">\(data)</script>
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    /// The page's data: codebook, school, quarters, words and the keys (JSON, safe inside a
    /// `<script>` element: `<`, `>` and `&` are escaped).
    func dataJSON(credentials: Credentials) throws -> String {
        let dimensions: [[String: Any]] = codebook.dimensions.map { d in
            [
                "name": d.name, "label": d.label.translations,
                "values": d.values.map { ["code": $0.code, "label": $0.label.translations] as [String: Any] },
            ]
        }
        let tables: [[String: Any]] = codebook.tables.map { t in
            [
                "name": t.name, "label": t.label.translations, "dimensions": t.dimensions, "multi_valued": t.multiValued,
            ]
        }
        let cells: [[String: Any]] = codebook.allCells.map {
            ["table": $0.table, "code": $0.code, "values": $0.values, "index": $0.index]
        }
        let object: [String: Any] = [
            "language": language,
            "school": ["id": school.id, "name": school.name, "enrolment": school.enrolment],
            "periods": periods.map(\.description),
            "maximum_count": 100_000,
            "codebook": [
                "version": codebook.version, "dimensions": dimensions, "tables": tables, "cells": cells,
                "rules": [
                    "equal_totals": codebook.rules.equalTotals,
                    "at_most_total": ["tables": codebook.rules.atMostTotal.tables, "total_of": codebook.rules.atMostTotal.totalOf],
                ],
            ],
            "strings": ["en": FormStrings.en, "es": FormStrings.es],
            "package": [
                "magic": "MOSAICPK", "format_version": Int(SealedPackage.formatVersion), "suite": Int(SealedPackage.Suite.aesGCM.rawValue),
                "info": "mosaic-package-v1", "inner_size": SealedPackage.innerSize,
                "school_id": credentials.schoolID,
                "signing_key": credentials.signingKey.rawRepresentation.base64EncodedString(),
                "signer_fingerprint": credentials.fingerprint,
                "authority_public_key": credentials.authorityPublicKey.base64EncodedString(),
                "authority_fingerprint": fingerprint(of: credentials.authorityPublicKey),
            ],
        ]
        let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: json, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026")
    }

    /// A CSP source expression for an inline element's exact text.
    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    /// Text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
