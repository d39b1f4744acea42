namespace Sfu.Core.Relay;

/// <summary>
/// Where a <see cref="RelayLink"/> delivers what the peer node sent, already authenticated
/// and decrypted. Called on the relay port's receive thread; the span is only valid during
/// the call.
/// </summary>
public interface IRelaySink
{
    void OnRtp(RelayLink link, ReadOnlySpan<byte> packet);

    void OnRtcp(RelayLink link, ReadOnlySpan<byte> compound);
}
