import Foundation
import Testing

@testable import MosaicText

/// The fast trim agrees with Foundation's on every kind of input, ASCII or not.
@Suite struct WhitespaceTests {
    @Test func theFastTrimAgreesWithFoundation() {
        let samples = [
            "", " ", "\t", "12", " 12", "12 ", "\t12\t", "1 2", "\u{00A0}12", "12\u{00A0}", "\u{2003}x\u{2003}", "é", " é ", "\r12",
            "12\r", "\n", "ab\u{3000}", "\u{3000}", "\u{00A0}", "12,0", "\"12\"",
        ]
        for s in samples {
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespaces), "\(Array(s.unicodeScalars))")
            #expect(s.isBlank == s.trimmingCharacters(in: .whitespaces).isEmpty, "\(Array(s.unicodeScalars))")
        }
        var g = SystemRandomNumberGenerator()
        let alphabet: [Character] = [" ", "\t", "1", "a", "\u{00A0}", "é", "\u{2009}", "\r", ","]
        for _ in 0..<2000 {
            let s = String((0..<Int.random(in: 0...5, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespaces))
            #expect(s.isBlank == s.trimmingCharacters(in: .whitespaces).isEmpty)
        }
    }
}
