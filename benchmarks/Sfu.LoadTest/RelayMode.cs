namespace Sfu.LoadTest;

/// <summary>What the raw relay does per copy.</summary>
internal enum RelayMode
{
    /// <summary>One <c>sendto</c> per subscriber, no crypto: the kernel's cost of the fan-out alone, one datagram at a time.</summary>
    Plain,

    /// <summary>
    /// Copies batched into <c>sendmmsg</c>, each encrypted once with the subscriber's own
    /// SRTP AEAD_AES_128_GCM keys (SfuRouter's preferred profile): what a perfect SFU would cost,
    /// the kernel plus the crypto and nothing else.
    /// </summary>
    Srtp,
}
