import CSystemRandom

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A source of uniformly random 64-bit words: the one entropy protocol of the privacy engine.
///
/// In production the only conforming type is ``SystemEntropy``, backed by the operating
/// system's CSPRNG. Seeded sources exist only inside test targets; no command-line path can
/// construct one.
public protocol EntropySource: AnyObject {
    /// The next 64 uniformly random bits.
    func nextWord() -> UInt64
    /// The next 32 uniformly random bits.
    func nextHalfWord() -> UInt32
    /// The next uniformly random bit.
    func nextBit() -> Bool
}

extension EntropySource {
    /// Takes a whole word (correct, if wasteful); ``SystemEntropy`` keeps the other half.
    public func nextHalfWord() -> UInt32 { UInt32(truncatingIfNeeded: nextWord()) }
    /// Takes a whole word (correct, if wasteful); ``SystemEntropy`` keeps the other bits.
    public func nextBit() -> Bool { nextWord() & 1 == 1 }
}

/// The operating system's CSPRNG (`getrandom(2)` on Linux, `arc4random_buf` on Apple systems),
/// read in blocks of 8 KiB for speed.
///
/// Not thread-safe: give each thread its own instance.
public final class SystemEntropy: EntropySource {
    private var buffer: [UInt64]
    private var index: Int
    private var bits: UInt64 = 0
    private var bitsLeft = 0
    private var half: UInt32 = 0
    private var hasHalf = false

    /// Words read from the OS per refill.
    public static let blockWords = 1024

    /// Reads the kernel CSPRNG (getrandom) in 8 KiB blocks.
    public init() {
        buffer = [UInt64](repeating: 0, count: SystemEntropy.blockWords)
        index = SystemEntropy.blockWords
    }

    /// 64 random bits.
    @inline(__always)
    public func nextWord() -> UInt64 {
        if index == buffer.count { refill() }
        let w = buffer[index]
        index += 1
        return w
    }

    /// 32 random bits.
    @inline(__always)
    public func nextHalfWord() -> UInt32 {
        if hasHalf {
            hasHalf = false
            return half
        }
        let w = nextWord()
        half = UInt32(truncatingIfNeeded: w >> 32)
        hasHalf = true
        return UInt32(truncatingIfNeeded: w)
    }

    /// One random bit.
    @inline(__always)
    public func nextBit() -> Bool {
        if bitsLeft == 0 {
            bits = nextWord()
            bitsLeft = 64
        }
        let b = bits & 1 == 1
        bits >>= 1
        bitsLeft -= 1
        return b
    }

    private func refill() {
        buffer.withUnsafeMutableBytes { raw in
            SystemEntropy.fill(raw)
        }
        index = 0
    }

    /// Fills `raw` with bytes from the OS CSPRNG; stops the process if the OS cannot provide them
    /// (continuing without randomness would break the privacy guarantee).
    static func fill(_ raw: UnsafeMutableRawBufferPointer) {
        var offset = 0
        while offset < raw.count {
            let n = mosaic_system_random(raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                fatalError(
                    "the operating system's random number generator failed (errno \(errno)); refusing to continue without randomness")
            }
            offset += n
        }
    }
}
