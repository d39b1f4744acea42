namespace Sfu.Core.Sessions;

/// <summary>Where RTCP for one peer leaves: protected and sent on its transport.</summary>
public interface IRtcpSender
{
    /// <summary>True once the transport can protect and send (SRTP keys installed).</summary>
    bool IsConnected { get; }

    /// <summary>Protects and sends one plain compound packet; false when it could not. Any thread.</summary>
    bool SendRtcp(ReadOnlySpan<byte> compound);
}
