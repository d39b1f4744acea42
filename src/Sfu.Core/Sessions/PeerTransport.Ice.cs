using System.Net;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Core.Sessions;

/// <summary>ICE for the transport: connectivity checks and restarts (RFC 8445).</summary>
public sealed partial class PeerTransport
{
    /// <summary>
    /// An ICE restart (RFC 8445 §9): the peer offered new credentials, so we answer with new
    /// ones of ours. DTLS and SRTP go on untouched and media keeps its path until the peer
    /// nominates another; checks with the ufrag from before are still answered until the next
    /// restart. Signaling side.
    /// </summary>
    public void RestartIce(string remoteUfrag, string remotePassword)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IceCredentials local = _directory.IssueCredentials(this);
        string? retired;
        lock (_iceGate)
        {
            IceLiteAgent current = _ice ?? throw new InvalidOperationException("ICE restarts after the first offer or answer.");
            retired = PreviousLocalUfrag;
            PreviousLocalUfrag = LocalIce.Ufrag;
            LocalIce = local;
            RemoteUfrag = remoteUfrag;
            RemotePassword = remotePassword;
            _ice = current.Restart(local, remoteUfrag);
        }

        if (retired is not null)
        {
            _directory.RetireUfrag(retired, this);
        }

        LogIceRestart(_logger, local.Ufrag);
    }

    /// <summary>An ICE check routed here by USERNAME or by source address. Receive loop only.</summary>
    internal void OnStun(in StunMessage message, SocketAddress source)
    {
        IceLiteAgent? ice = _ice;
        if (ice is null)
        {
            _counters.Dropped(DropReason.NotReady);
            return;
        }

        SocketAddress? before;
        SocketAddress? selected;
        IceCheckOutcome outcome;
        int responseLength;
        lock (_iceGate)
        {
            ice = _ice!;
            before = ice.SelectedAddress;
            outcome = ice.ProcessBindingRequest(message, source, _stunResponse, out responseLength);
            selected = ice.SelectedAddress;
        }

        if (responseLength > 0)
        {
            _port.SendTo(_stunResponse.AsSpan(0, responseLength), source);
        }

        switch (outcome)
        {
            case IceCheckOutcome.Accepted:
            case IceCheckOutcome.Nominated:
                _counters.StunAnswered();
                break;
            case IceCheckOutcome.Unauthorized:
                _counters.Dropped(DropReason.StunUnauthorized);
                return;
            default:
                _counters.Dropped(DropReason.Malformed);
                return;
        }

        if (selected is not null && !ReferenceEquals(before, selected))
        {
            _directory.Bind(selected, this);
            StartHandshake();
        }
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "ICE restart: our new ufrag is {Ufrag}")]
    private static partial void LogIceRestart(ILogger logger, string ufrag);
}
