#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a tar archive cannot be read further.
public struct TarError: Error, Equatable, CustomStringConvertible {
    /// The archive.
    public var file: String
    /// The byte offset of the header that could not be read.
    public var offset: UInt64
    /// What is wrong, in words.
    public var message: String

    /// A readable form: "ARCHIVE: at byte N: MESSAGE".
    public var description: String { "\(file): at byte \(offset): \(message)" }
}

/// Reads the regular files of a tar archive (POSIX ustar, GNU and pax, as `tar` and Python's
/// `tarfile` write them) one after another, without extracting anything: each member's name and
/// content, in the archive's order. Everything in the archive is outside data: every header is
/// checked (checksum, octal fields, sizes within the file) and a damaged one ends the reading
/// with a ``TarError`` naming the byte offset; nothing is ever written to disk.
///
/// Links, devices and folders are skipped (they carry no counts); a regular member larger than
/// `maximumMemberSize` is returned with `content` nil (its data is skipped, not read).
public struct TarReader: ~Copyable {
    /// One regular file of the archive.
    public struct Member: Sendable {
        /// Its path inside the archive (`2026-Q3/S0000001.csv`).
        public var name: String
        /// Its bytes; nil when larger than the reader's maximum.
        public var content: [UInt8]?
        /// Its size in bytes, as the header states it.
        public var size: Int
        /// A hard or symbolic link (no content of its own).
        public var isLink = false
    }

    private let path: String
    private let fd: Int32
    private let fileSize: UInt64
    private var offset: UInt64 = 0
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private var finished = false
    /// The largest member read into memory.
    public let maximumMemberSize: Int

    /// Opens an archive for reading.
    ///
    /// - Throws: ``TarError`` when the file cannot be opened.
    public init(path: String, maximumMemberSize: Int = 1 << 20) throws {
        self.path = path
        self.maximumMemberSize = maximumMemberSize
        // Non-blocking, so that a FIFO named like an archive is refused instead of waited on.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            let why = errno == ENOENT ? "does not exist" : "cannot be opened (\(AtomicFile.describe(errno)))"
            throw TarError(file: path, offset: 0, message: why)
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TarError(file: path, offset: 0, message: "is not a regular file")
        }
        guard st.st_size > 0 else {
            close(fd)
            throw TarError(file: path, offset: 0, message: "is empty: not a tar archive")
        }
        self.fd = fd
        self.fileSize = UInt64(max(0, st.st_size))
    }

    deinit { close(fd) }

    /// The next regular file, or nil at the archive's end.
    ///
    /// - Throws: ``TarError`` for a damaged or truncated archive; the reader then stays at its end.
    public mutating func next() throws -> Member? { try next(readContent: true) }

    /// The number of regular files in the archive at `path` (headers only; data is skipped).
    ///
    /// - Throws: ``TarError`` when the archive cannot be opened or is damaged.
    public static func countMembers(path: String) throws -> Int {
        var reader = try TarReader(path: path)
        var n = 0
        while try reader.next(readContent: false) != nil { n += 1 }
        return n
    }

    mutating func next(readContent: Bool) throws -> Member? {
        var longName: String?
        var paxName: String?
        while !finished {
            let headerAt = offset
            guard headerAt < fileSize else {
                // No end marker, but the last member was complete: the end.
                finished = true
                return nil
            }
            guard let header = try take(512, at: headerAt) else {
                finished = true
                throw TarError(file: path, offset: headerAt, message: "the archive is cut short inside a header")
            }
            if header.allSatisfy({ $0 == 0 }) {
                finished = true
                // The end marker is two zero blocks; a lone one followed by more data would hide it.
                if let after = try take(512, at: headerAt + 512), !after.allSatisfy({ $0 == 0 }) {
                    throw TarError(
                        file: path, offset: headerAt,
                        message: "a lone zero block with more data after it: members after it would be skipped")
                }
                return nil
            }
            guard let stated = TarReader.octal(header[148..<156]), stated == TarReader.checksum(header) else {
                finished = true
                throw TarError(
                    file: path, offset: headerAt, message: "a damaged header (its checksum does not match): not a tar archive, or altered")
            }
            guard let size = TarReader.size(header[124..<136]) else {
                finished = true
                throw TarError(file: path, offset: headerAt, message: "a damaged header (the member's size is not a number)")
            }
            guard UInt64(size) <= fileSize else {
                finished = true
                throw TarError(
                    file: path, offset: headerAt, message: "the archive is cut short: a member's data runs past the end of the file")
            }
            let padded = (size + 511) / 512 * 512
            let dataAt = headerAt + 512
            guard dataAt + UInt64(padded) <= fileSize || dataAt + UInt64(size) <= fileSize else {
                finished = true
                throw TarError(
                    file: path, offset: headerAt, message: "the archive is cut short: a member's data runs past the end of the file")
            }
            offset = dataAt + UInt64(padded)
            let type = header[156]
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"):
                // A GNU long name, or a pax extended header: it names the next member.
                guard size <= 1 << 16, let data = try take(size, at: dataAt) else {
                    finished = true
                    throw TarError(file: path, offset: headerAt, message: "an extended header too large or cut short")
                }
                if type == UInt8(ascii: "L") {
                    longName = TarReader.printable(String(decoding: data.prefix { $0 != 0 }, as: UTF8.self))
                } else {
                    paxName = TarReader.paxPath(data) ?? paxName
                }
                continue
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let name = paxName ?? longName ?? TarReader.ustarName(header)
                if size > maximumMemberSize || !readContent { return Member(name: name, content: nil, size: size) }
                guard let data = try take(size, at: dataAt) else {
                    finished = true
                    throw TarError(file: path, offset: headerAt, message: "the archive is cut short inside a member")
                }
                return Member(name: name, content: data, size: size)
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                // A link: reported, so that a school's file stored as a link is not silently lost.
                let name = paxName ?? longName ?? TarReader.ustarName(header)
                return Member(name: name, content: nil, size: 0, isLink: true)
            default:
                // Folders, links, devices and global headers carry no counts.
                longName = nil
                paxName = nil
                continue
            }
        }
        return nil
    }

    /// `count` bytes at `at` (sequential reads through a 1 MB buffer); nil when the file ends first.
    private mutating func take(_ count: Int, at: UInt64) throws -> [UInt8]? {
        guard at + UInt64(count) <= fileSize else { return nil }
        let chunk = 1 << 20
        // The buffer holds [bufferOrigin, bufferOrigin + buffer.count).
        let origin = UInt64(bufferStart)
        if at >= origin, at + UInt64(count) <= origin + UInt64(buffer.count) {
            let lo = Int(at - origin)
            return Array(buffer[lo..<lo + count])
        }
        let want = max(chunk, count)
        var fresh = [UInt8](repeating: 0, count: want)
        var got = 0
        while got < want {
            let n = fresh.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + got, want - got, off_t(at) + off_t(got))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw TarError(file: path, offset: at, message: "cannot be read (\(AtomicFile.describe(errno)))")
            }
            if n == 0 { break }
            got += n
        }
        guard got >= count else { return nil }
        fresh.removeSubrange(got...)
        buffer = fresh
        bufferStart = Int(at)
        return Array(buffer[0..<count])
    }

    /// The header's checksum: the sum of its bytes with the checksum field read as spaces.
    static func checksum(_ header: [UInt8]) -> Int {
        var sum = 0
        for (i, b) in header.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
        return sum
    }

    /// An octal field (NUL- or space-terminated, leading spaces allowed); nil when malformed.
    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        var ended = false
        for b in field {
            if b == 0 || b == 32 {
                if digits > 0 { ended = true }
                continue
            }
            guard !ended, (48...55).contains(b), digits < 21 else { return nil }
            value = value * 8 + Int(b - 48)
            digits += 1
        }
        return digits > 0 ? value : 0
    }

    /// The size field: octal, or GNU's base-256 for large members.
    static func size(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
        var value = 0
        for (i, b) in field.enumerated() {
            let byte = i == 0 ? Int(b & 0x7F) : Int(b)
            guard value < (Int.max >> 8) else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    /// The ustar name: `prefix/name` when the prefix is set.
    static func ustarName(_ header: [UInt8]) -> String {
        func text(_ r: Range<Int>) -> String { String(decoding: header[r].prefix { $0 != 0 }, as: UTF8.self) }
        let name = text(0..<100)
        let isUstar = header[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? text(345..<500) : ""
        return printable(prefix.isEmpty ? name : prefix + "/" + name)
    }

    /// A member's name made safe to print and store: control characters (C0, DEL, C1: terminal
    /// escapes, newlines that could forge a line of output) become "?".
    static func printable(_ name: String) -> String {
        guard name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return name }
        return String(
            String.UnicodeScalarView(name.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0 }))
    }

    /// The `path` record of a pax extended header ("LEN path=VALUE\n" records).
    static func paxPath(_ data: [UInt8]) -> String? {
        var i = 0
        while i < data.count {
            guard let space = data[i...].firstIndex(of: 32), space - i <= 20,
                let length = Int(String(decoding: data[i..<space], as: UTF8.self)),
                length > space - i, length <= data.count - i
            else { return nil }
            let record = data[(space + 1)..<(i + length)]
            if record.starts(with: "path=".utf8) {
                let value = record.dropFirst(5)
                return printable(String(decoding: value.last == 10 ? value.dropLast() : value, as: UTF8.self))
            }
            i += length
        }
        return nil
    }
}

/// Writes a POSIX ustar archive of small regular files, in order, through a buffer (for
/// synthetic data sets: millions of counts files in one file instead of millions of inodes).
public struct TarWriter: ~Copyable {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []

    /// Creates (or truncates) the archive at `path`.
    public init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw OutputError.cannotWrite(path, AtomicFile.describe(errno)) }
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    deinit { close(fd) }

    /// Appends a regular file. Names longer than 100 bytes use the ustar prefix (up to 255 in all).
    public mutating func add(name: String, content: [UInt8]) throws {
        var header = [UInt8](repeating: 0, count: 512)
        let bytes = Array(name.utf8)
        if bytes.count <= 100 {
            header.replaceSubrange(0..<bytes.count, with: bytes)
        } else {
            guard let slash = bytes[..<min(bytes.count, 156)].lastIndex(of: UInt8(ascii: "/")), bytes.count - slash - 1 <= 100, slash <= 155
            else { throw OutputError.cannotWrite(path, "a member name is too long for a tar archive: \(name)") }
            header.replaceSubrange(0..<(bytes.count - slash - 1), with: bytes[(slash + 1)...])
            header.replaceSubrange(345..<(345 + slash), with: bytes[..<slash])
        }
        func put(_ value: Int, _ range: Range<Int>) {
            let digits = Array(String(value, radix: 8).utf8)
            let width = range.count - 1
            let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - digits.count)) + digits
            header.replaceSubrange(range.lowerBound..<(range.lowerBound + width), with: padded.suffix(width))
        }
        put(0o644, 100..<108)
        put(0, 108..<116)
        put(0, 116..<124)
        put(content.count, 124..<136)
        put(0, 136..<148)
        header[156] = UInt8(ascii: "0")
        header.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        header.replaceSubrange(263..<265, with: Array("00".utf8))
        for i in 148..<156 { header[i] = 32 }
        let sum = header.reduce(0) { $0 + Int($1) }
        put(sum, 148..<155)
        header[155] = 32
        buffer += header
        buffer += content
        buffer += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes the end marker (two zero blocks) and everything buffered.
    public mutating func finish() throws {
        buffer += [UInt8](repeating: 0, count: 1024)
        try flush()
    }

    private mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, buffer.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw OutputError.cannotWrite(path, AtomicFile.describe(errno)) }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
