import Foundation
import Testing

@testable import MosaicFiles

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct TarArchiveTests {
    static func members(_ path: String) throws -> [(String, [UInt8]?)] {
        var reader = try TarReader(path: path)
        var out: [(String, [UInt8]?)] = []
        while let m = try reader.next() { out.append((m.name, m.content)) }
        return out
    }

    @Test func whatTheWriterWritesReadsBackInOrder() throws {
        let f = try AtomicFileTests.folder()
        let long = String(repeating: "d", count: 90) + "/" + String(repeating: "n", count: 60) + ".csv"
        var w = try TarWriter(path: f + "/a.tar")
        try w.add(name: "2026-Q3/S1.csv", content: Array("one\n".utf8))
        try w.add(name: "empty.csv", content: [])
        try w.add(name: long, content: [UInt8](repeating: 7, count: 1_000))
        try w.finish()
        let read = try Self.members(f + "/a.tar")
        #expect(read.map(\.0) == ["2026-Q3/S1.csv", "empty.csv", long])
        #expect(read[0].1 == Array("one\n".utf8) && read[1].1 == [] && read[2].1 == [UInt8](repeating: 7, count: 1_000))
        #expect(try TarReader.countMembers(path: f + "/a.tar") == 3)
    }

    /// GNU tar's own archives (GNU format with long names, and POSIX pax), folders skipped.
    @Test func archivesMadeByGNUTarAreRead() throws {
        let f = try AtomicFileTests.folder()
        let deep = String(repeating: "x", count: 120)
        try FileManager.default.createDirectory(atPath: f + "/in/\(deep)", withIntermediateDirectories: true)
        try Data("a,b\n".utf8).write(to: URL(fileURLWithPath: f + "/in/\(deep)/S2.csv"))
        try Data("c\n".utf8).write(to: URL(fileURLWithPath: f + "/in/S1.csv"))
        for format in ["gnu", "posix"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
            p.arguments = ["--format=\(format)", "-C", f + "/in", "-cf", f + "/\(format).tar", "S1.csv", deep]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let read = try Self.members(f + "/\(format).tar")
            #expect(Set(read.map(\.0)) == ["S1.csv", "\(deep)/S2.csv"], "\(format)")
            #expect(read.first { $0.0 == "S1.csv" }?.1 == Array("c\n".utf8))
        }
    }

    @Test func aDamagedOrCutArchiveIsAnErrorNamingTheOffset() throws {
        let f = try AtomicFileTests.folder()
        var w = try TarWriter(path: f + "/a.tar")
        for i in 0..<3 { try w.add(name: "S\(i).csv", content: [UInt8](repeating: 65, count: 600)) }
        try w.finish()
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: f + "/a.tar")))
        // The second header starts after 512 + 1024 bytes; a changed name breaks its checksum.
        bytes[1536] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: f + "/bad.tar"))
        var reader = try TarReader(path: f + "/bad.tar")
        #expect(try reader.next()?.name == "S0.csv")
        #expect(
            throws: TarError(
                file: f + "/bad.tar", offset: 1536, message: "a damaged header (its checksum does not match): not a tar archive, or altered"
            )
        ) {
            _ = try reader.next()
        }
        #expect(try reader.next() == nil)
        // Cut inside the second member's data.
        bytes[1536] ^= 1
        try Data(bytes.prefix(1536 + 512 + 100)).write(to: URL(fileURLWithPath: f + "/cut.tar"))
        var cut = try TarReader(path: f + "/cut.tar")
        #expect(try cut.next()?.name == "S0.csv")
        #expect(throws: TarError.self) { _ = try cut.next() }
        // Not a tar at all.
        try Data("school_id,period\n".utf8 + [UInt8](repeating: 32, count: 600)).write(to: URL(fileURLWithPath: f + "/x.tar"))
        var x = try TarReader(path: f + "/x.tar")
        #expect(throws: TarError.self) { _ = try x.next() }
    }

    @Test func aMemberLargerThanTheMaximumIsNotRead() throws {
        let f = try AtomicFileTests.folder()
        var w = try TarWriter(path: f + "/a.tar")
        try w.add(name: "big.csv", content: [UInt8](repeating: 1, count: 5_000))
        try w.add(name: "small.csv", content: [2])
        try w.finish()
        var reader = try TarReader(path: f + "/a.tar", maximumMemberSize: 4_096)
        let big = try #require(try reader.next())
        #expect(big.name == "big.csv" && big.content == nil && big.size == 5_000)
        #expect(try reader.next()?.content == [2])
    }

    /// Outside data: random damage to an archive never crashes the reader; it returns members
    /// or throws, and always ends.
    @Test func randomDamageNeverCrashes() throws {
        let f = try AtomicFileTests.folder()
        var w = try TarWriter(path: f + "/a.tar")
        for i in 0..<4 { try w.add(name: "2026-Q3/S\(i).csv", content: Array(repeating: UInt8(48 + i), count: 300 + 200 * i)) }
        try w.finish()
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: f + "/a.tar")))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for round in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + next() % 8) {
                let i = next() % bytes.count
                bytes[i] = round % 3 == 0 ? UInt8(ascii: "7") : UInt8(truncatingIfNeeded: next())
            }
            if round % 5 == 0 { bytes = Array(bytes.prefix(next() % bytes.count)) }
            try Data(bytes).write(to: URL(fileURLWithPath: f + "/m.tar"))
            var reader = try TarReader(path: f + "/m.tar")
            var steps = 0
            while steps < 100, let m = try? reader.next() {
                #expect(m.content.map { $0.count == m.size } ?? true)
                steps += 1
            }
            #expect(steps < 100)
        }
    }

    /// What a reviewer found: a pax length shorter than its own prefix, a cut inside a header, an
    /// empty file, a FIFO, names with control characters, links, and a lone zero block.
    @Test func craftedArchivesAreRefusedNotTrusted() throws {
        let f = try AtomicFileTests.folder()
        func header(_ name: String, size: Int, type: UInt8) -> [UInt8] {
            var h = [UInt8](repeating: 0, count: 512)
            h.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
            h.replaceSubrange(100..<108, with: Array("0000644\0".utf8))
            h.replaceSubrange(
                124..<136,
                with: Array((String(repeating: "0", count: 11 - String(size, radix: 8).count) + String(size, radix: 8) + "\0").utf8))
            h[156] = type
            for i in 148..<156 { h[i] = 32 }
            let sum = h.reduce(0) { $0 + Int($1) }
            let text = Array((String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8) + "\0 ").utf8)
            h.replaceSubrange(148..<156, with: text)
            return h
        }
        func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (512 - b.count % 512) % 512) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            try Data(bytes).write(to: URL(fileURLWithPath: f + "/" + name))
            return f + "/" + name
        }
        // A pax record whose length is shorter than its own "1 " prefix: no crash, the ustar name.
        for record in ["1 path=abc\n", "001 path=a"] {
            let body = Array(record.utf8)
            let path = try write(
                "pax.tar",
                header("pax", size: body.count, type: UInt8(ascii: "x")) + padded(body) + header("S.csv", size: 1, type: 48)
                    + padded([65]) + [UInt8](repeating: 0, count: 1024))
            var r = try TarReader(path: path)
            #expect(try r.next()?.name == "S.csv")
        }
        // Cut inside a header: an error, not the end.
        var w = try TarWriter(path: f + "/two.tar")
        try w.add(name: "A.csv", content: [1])
        try w.add(name: "B.csv", content: [2])
        try w.finish()
        let two = try [UInt8](Data(contentsOf: URL(fileURLWithPath: f + "/two.tar")))
        var cut = try TarReader(path: try write("cut.tar", Array(two.prefix(1024 + 100))))
        #expect(try cut.next()?.name == "A.csv")
        #expect(throws: TarError.self) { _ = try cut.next() }
        #expect(throws: TarError.self) { _ = try TarReader(path: try write("empty.tar", [])) }
        // A lone zero block with members after it.
        var lone = try TarReader(path: try write("lone.tar", [UInt8](repeating: 0, count: 512) + two))
        #expect(throws: TarError.self) { _ = try lone.next() }
        // A FIFO named like an archive is refused at once, not waited on.
        #expect(mkfifo(f + "/f.tar", 0o600) == 0)
        #expect(throws: TarError.self) { _ = try TarReader(path: f + "/f.tar") }
        #expect(throws: TarError(file: f + "/none.tar", offset: 0, message: "does not exist")) { _ = try TarReader(path: f + "/none.tar") }
        // Control characters in a name (terminal escapes, a forged line) become "?".
        var named = try TarReader(
            path: try write(
                "names.tar",
                header("a\u{1B}]0;x\u{07}\nstored: b.csv", size: 1, type: 48) + padded([65]) + [UInt8](repeating: 0, count: 1024)))
        #expect(try named.next()?.name == "a?]0;x??stored: b.csv")
        // A link is reported as one, without content.
        var links = try TarReader(
            path: try write("link.tar", header("L.csv", size: 0, type: UInt8(ascii: "1")) + [UInt8](repeating: 0, count: 1024)))
        let link = try #require(try links.next())
        #expect(link.isLink && link.content == nil && link.name == "L.csv")
    }
}
