import Foundation
import MosaicCodebook
import Testing

@testable import MosaicCounts

/// Every message intake writes has a Spanish translation.
@Suite struct IntakeMessagesTests {
    static let codebook = try! Codebook.bundled()
    static let now = Date(timeIntervalSince1970: 1_786_800_000)

    @Test func bothLanguageFilesHaveTheSameKeysAndPlaceholders() {
        let en = IntakeMessages.strings("en")
        let es = IntakeMessages.strings("es")
        #expect(en.count > 80)
        #expect(Set(en.keys) == Set(es.keys))
        func placeholders(_ s: String) -> Set<Substring> {
            Set(s.split(separator: "{").dropFirst().compactMap { $0.split(separator: "}").first })
        }
        for (k, v) in en { #expect(placeholders(v) == placeholders(es[k] ?? ""), "\(k)") }
    }

    /// Messages from many broken files, CSV and JSON: each one known, each translated.
    @Test func everyProblemOfABrokenFileIsTranslated() throws {
        var s = Submission(
            schoolID: "S1", period: Period("2026-Q2")!, codebookVersion: 1, counts: [Int](repeating: 0, count: Self.codebook.allCells.count)
        )
        s.counts[Self.codebook.cellIndex(table: "incidents", cell: "shared.pupil_14_15.female")!] = 2
        s.counts[Self.codebook.cellIndex(table: "channels", cell: "whatsapp")!] = 1
        s.counts[Self.codebook.cellIndex(table: "responses", cell: "police_report")!] = 9
        let csv = CountsFile.write(s, codebook: Self.codebook)
        let json = CountsFile.write(s, codebook: Self.codebook, format: .json)
        var lines = csv.components(separatedBy: "\n")
        let variants: [String] = [
            csv,  // two rules broken
            csv.replacingOccurrences(of: "# mosaic-counts codebook=1", with: "# mosaic-counts codebook=x"),
            csv.replacingOccurrences(of: "# mosaic-counts codebook=1", with: "# mosaic-counts codebook=7"),
            csv.replacingOccurrences(of: "# mosaic-counts codebook=1", with: "hello"),
            csv.replacingOccurrences(of: ",label", with: ",label,name"),
            csv.replacingOccurrences(of: "school_id,period", with: "school_id,school_id,period"),
            csv.replacingOccurrences(of: "school_id,", with: ""),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,nudify,0", with: "S2,2026-Q9,tool,nudify,0"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,nudify,0", with: "S1,2026-Q1,tools,nud,0"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,nudify,0", with: "S1,2099-Q1,tools,nudify,-1"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "S1,2026-Q2,tools,face_swap,1.5"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "S1,2026-Q2,tools,face_swap,x"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "S1,2026-Q2,tools,face_swap,999999"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "S1,2026-Q2,tools,face_swap,\"1,5\""),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "S1,2026-Q2,tools,face_swap,"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "S1,2026-Q2,tools,face_swap,1,5"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0,Face", with: "S1,2026-Q2,tools,face_swap,0,Maria"),
            csv.replacingOccurrences(of: "S1,2026-Q2,tools,face_swap,0", with: "bad id!,2026-Q2,tools,face_swap,0"),
            csv + lines[5] + "\n",
            lines.prefix(2).joined(separator: "\n"),
            lines.prefix(1).joined(separator: "\n"),
            "\"unclosed\n",
            "a\"b\n",
            String(decoding: [0x00, 0x01], as: UTF8.self),
            "",
            json,
            json.replacingOccurrences(of: "\"format\": \"mosaic-counts\"", with: "\"format\": \"x\""),
            json.replacingOccurrences(of: "\"codebook\": 1", with: "\"codebook\": \"1\""),
            json.replacingOccurrences(of: "\"codebook\": 1", with: "\"codebook\": 9"),
            json.replacingOccurrences(of: "\"school_id\": \"S1\"", with: "\"school_id\": 5"),
            json.replacingOccurrences(of: "\"period\": \"2026-Q2\"", with: "\"period\": \"2026\""),
            json.replacingOccurrences(of: "\"nudify\": 0", with: "\"nudify\": \"0\""),
            json.replacingOccurrences(of: "\"nudify\": 0", with: "\"nudify\": true"),
            json.replacingOccurrences(of: "\"nudify\": 0", with: "\"nudify\": null"),
            json.replacingOccurrences(of: "\"nudify\": 0", with: "\"nudifyx\": 0"),
            json.replacingOccurrences(of: "\"tools\": {", with: "\"toolz\": {"),
            json.replacingOccurrences(of: "\"format\"", with: "\"name\": \"x\", \"format\""),
            json.replacingOccurrences(of: "\"counts\": {", with: "\"counts\": ["),
            json.replacingOccurrences(of: "\"counts\": {", with: "\"counts\": 3, \"x\": {"),
            "[1]", "{\"a\": 01}", "{\"a\" 1}", "{\"a\": 1,}", "{\"a\": tru}", "{\"a\": \"\\q\"}", "{\"a\": [1, 2}", "{} x",
        ]
        lines[3] = lines[3].replacingOccurrences(of: "S1,", with: "S1,x,")
        let all = variants + [lines.joined(separator: "\n")]
        var seen = 0
        for (i, text) in all.enumerated() {
            do {
                _ = try CountsFile.parse(Array(text.utf8), file: "v\(i)", now: Self.now)
                Issue.record("variant \(i) was accepted")
            } catch let e as IntakeError {
                for p in e.all {
                    seen += 1
                    #expect(IntakeMessages.isKnown(p.message), "variant \(i): no template for: \(p.message)")
                    #expect(IntakeMessages.translate(p.message, to: "es") != p.message, "variant \(i): \(p.message)")
                }
            }
        }
        #expect(seen > all.count)
    }

    @Test func aTranslatedMessageKeepsFileLineAndFieldAndNamesTheCellInSpanish() throws {
        let e = IntakeError(
            file: "c.csv", line: nil, field: "cell",
            message:
                "no row for cell 'whatsapp' of table 'channels' (WhatsApp); every cell must be listed (write 0 for none)")
        #expect(
            e.description(language: "es")
                == "c.csv: campo 'cell': falta la fila de la celda 'whatsapp' de la tabla 'channels' (WhatsApp); deben estar todas las celdas (escriba 0 si no hay ninguno)"
        )
        let cell = try #require(Self.codebook.allCells.first)
        let en = Self.codebook.label(of: cell, language: "en")
        let m = IntakeMessages.translate(
            "no row for cell '\(cell.code)' of table '\(cell.table)' (\(en)); every cell must be listed (write 0 for none)", to: "es")
        #expect(m.contains(Self.codebook.label(of: cell, language: "es")))
        let many = IntakeError(problems: (1...25).map { IntakeError(file: "c.csv", line: $0, field: "count", message: "is not a number") })!
        let text = many.description(language: "es").components(separatedBy: "\n")
        #expect(text.count == 21)
        #expect(text.last == "c.csv: y 5 problemas más (corríjalos y vuelva a comprobar)")
        #expect(text.first == "c.csv:1: campo 'count': no es un número")
    }
}
