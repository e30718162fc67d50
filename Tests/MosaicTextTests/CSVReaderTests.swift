import Testing

@testable import MosaicText

@Suite struct CSVReaderTests {
    func read(_ text: String) throws -> [CSVRecord] {
        var r = try CSVReader(bytes: Array(text.utf8))
        return try r.readAll()
    }

    @Test func readsPlainRecordsWithTheirLines() throws {
        let records = try read("a,b\n1,2\n")
        #expect(records == [CSVRecord(line: 1, fields: ["a", "b"]), CSVRecord(line: 2, fields: ["1", "2"])])
    }

    @Test func acceptsByteOrderMarkAndCRLF() throws {
        let records = try CSVReader.readAll(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\r\n1,2\r\n".utf8))
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"]])
    }

    @Test func unquotesFieldsWithCommasQuotesAndLineBreaks() throws {
        let records = try read("x,\"a, \"\"b\"\"\nc\",y\nnext,1\n")
        #expect(records[0].fields == ["x", "a, \"b\"\nc", "y"])
        #expect(records[1].line == 3)
    }

    @Test func keepsEmptyFieldsAndBlankLines() throws {
        let records = try read("a,,\n\nb\n")
        #expect(records[0].fields == ["a", "", ""])
        #expect(records[1].isBlank)
        #expect(records[2].line == 3)
    }

    @Test(arguments: [
        ("", CSVError.empty),
        ("  \n\r\n", CSVError.empty),
        ("a,b\n1,\"open\n", CSVError.unterminatedQuote(line: 2)),
        ("a,b\n1,x\"y\n", CSVError.strayQuote(line: 2)),
        ("a,b\n1,\"x\"y\n", CSVError.strayQuote(line: 2)),
        ("a,b\n1,\u{0}\n", CSVError.notText(line: 2)),
    ])
    func refusesMalformedText(text: String, expected: CSVError) {
        #expect(throws: expected) { _ = try read(text) }
    }

    @Test func refusesInvalidUTF8NamingTheLine() {
        let bytes = Array("a,b\nok,1\n".utf8) + [0xC3, 0x28, 0x0A]
        #expect(throws: CSVError.notText(line: 3)) { _ = try CSVReader.readAll(bytes: bytes) }
    }

    @Test func writerQuotesOnlyWhenNeeded() throws {
        var w = CSVWriter()
        w.write(["plain", "with,comma", "with \"quote\""])
        #expect(w.text == "plain,\"with,comma\",\"with \"\"quote\"\"\"\n")
        #expect(try read(w.text)[0].fields == ["plain", "with,comma", "with \"quote\""])
    }
}

extension CSVReader {
    static func readAll(bytes: [UInt8]) throws -> [CSVRecord] {
        var r = try CSVReader(bytes: bytes)
        return try r.readAll()
    }
}
