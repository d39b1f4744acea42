namespace Sfu.Core.Tcp;

/// <summary>What <see cref="TcpFrameReader.TryRead"/> found at the head of the stream.</summary>
public enum TcpFrameResult : byte
{
    /// <summary>A whole frame.</summary>
    Frame,

    /// <summary>The next frame (or its length prefix) has not fully arrived.</summary>
    NeedMore,

    /// <summary>A zero length prefix: nothing a WebRTC peer sends; the stream is not ours.</summary>
    EmptyFrame,

    /// <summary>A length larger than any datagram we accept: the stream is not ours.</summary>
    TooLong,
}
