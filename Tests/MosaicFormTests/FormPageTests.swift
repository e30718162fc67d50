import Crypto
import Foundation
import MosaicCodebook
import MosaicSeal
import Testing

@testable import MosaicForm

/// The page's structure: what the browser test cannot see cheaply.
@Suite struct FormPageTests {
    let codebook = try! Codebook.bundled()
    let creds = Credentials(schoolID: "S-1", authorityPublicKey: Data(repeating: 7, count: 32))

    func page(name: String = "Escuela </script><b>", language: String = "en") throws -> String {
        try FormPage(
            school: .init(id: "S-1", name: name, enrolment: 321), periods: [Period("2026-Q3")!, Period("2026-Q2")!],
            language: language, codebook: codebook
        ).html(credentials: creds)
    }

    func between(_ text: String, _ a: String, _ b: String) -> String? {
        guard let r = text.range(of: a), let e = text.range(of: b, range: r.upperBound..<text.endIndex) else { return nil }
        return String(text[r.upperBound..<e.lowerBound])
    }

    @Test func theScriptAndStyleAreAllowedByTheirHashesOnly() throws {
        let html = try page()
        let csp = try #require(between(html, "Content-Security-Policy\" content=\"", "\""))
        let script = try #require(between(html, "<script>", "</script>"))
        let style = try #require(between(html, "<style>", "</style>"))
        #expect(csp.contains("script-src '" + FormPage.hash(script) + "'"))
        #expect(csp.contains("style-src '" + FormPage.hash(style) + "'"))
        #expect(csp.contains("default-src 'none'") && csp.contains("connect-src 'none'"))
        #expect(!csp.contains("unsafe"))
        #expect(!html.contains("localStorage") && !html.contains("sessionStorage") && !html.contains("indexedDB"))
    }

    @Test func theDataCannotCloseItsScriptElementAndNamesAreEscaped() throws {
        let html = try page()
        let data = try #require(between(html, "<script type=\"application/json\" id=\"mosaic-data\">", "</script>"))
        #expect(!data.contains("<") && !data.contains(">"))
        #expect(html.contains("Escuela &lt;/script&gt;&lt;b&gt;"))
        let json = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        let school = try #require(json?["school"] as? [String: Any])
        #expect(school["name"] as? String == "Escuela </script><b>")
        #expect(school["enrolment"] as? Int == 321)
        #expect(json?["periods"] as? [String] == ["2026-Q3", "2026-Q2"])
        let package = try #require(json?["package"] as? [String: Any])
        #expect(package["suite"] as? Int == 2)
        #expect(package["inner_size"] as? Int == SealedPackage.innerSize)
        #expect(package["signer_fingerprint"] as? String == creds.fingerprint)
        let cells = try #require((json?["codebook"] as? [String: Any])?["cells"] as? [[String: Any]])
        #expect(cells.count == codebook.allCells.count)
    }

    @Test func bothLanguagesCarryTheSameWords() {
        #expect(Set(FormStrings.en.keys) == Set(FormStrings.es.keys))
        for (k, v) in FormStrings.en {
            let placeholders = { (s: String) in Set(s.split(separator: "{").dropFirst().compactMap { $0.split(separator: "}").first }) }
            #expect(placeholders(v) == placeholders(FormStrings.es[k] ?? ""), "\(k)")
        }
    }

    @Test func theDefaultQuartersAreTheCurrentAndThePrevious() {
        let d = Date(timeIntervalSince1970: 1_786_800_000)  // 2026-08-15
        #expect(FormPage.defaultPeriods(now: d).map(\.description) == ["2026-Q3", "2026-Q2"])
    }
}
