import Testing

@testable import MosaicText

@Suite struct JSONReaderTests {
    @Test func keepsLinesOrderAndDuplicateKeys() throws {
        let node = try JSONReader.parse(Array("{\n \"a\": 1,\n \"b\": [true, null],\n \"a\": \"x\"\n}".utf8))
        guard case .object(let members) = node.value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["a", "b", "a"])
        #expect(members.map(\.line) == [2, 3, 4])
        #expect(members[0].value.value == .number("1"))
        #expect(members[2].value.value == .string("x"))
    }

    @Test func keepsNumbersAsTheirText() throws {
        let node = try JSONReader.parse(Array("[1.5, -2, 3e2, 0]".utf8))
        #expect(
            node.value
                == .array([
                    JSONNode(value: .number("1.5"), line: 1), JSONNode(value: .number("-2"), line: 1),
                    JSONNode(value: .number("3e2"), line: 1), JSONNode(value: .number("0"), line: 1),
                ]))
    }

    @Test func decodesEscapes() throws {
        let node = try JSONReader.parse(Array(#""a\"b\\c\u00e9\ud83d\ude00""#.utf8))
        #expect(node.value == .string("a\"b\\cé😀"))
    }

    @Test(arguments: [
        ("", 1), ("{", 1), ("{\"a\" 1}", 1), ("{\"a\": 1,\n}", 2), ("[1,\n2,,]", 2), ("{\"a\": 01}", 1),
        ("\"unterminated", 1), ("{} extra", 1), ("{\"a\": \"\\q\"}", 1), ("\n\n{\"a\": tru}", 3),
    ])
    func refusesMalformedJSONNamingTheLine(text: String, line: Int) {
        do {
            _ = try JSONReader.parse(Array(text.utf8))
            Issue.record("accepted malformed JSON: \(text)")
        } catch let e as JSONSyntaxError {
            #expect(e.line == line)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse([0x22, 0xFF, 0x22]) }
    }
}
