using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Negotiation;
using Sfu.Core.Net;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Srtp;

namespace Sfu.Bots;

public sealed partial class SfuBot
{
    private const int MaxReportBlocks = 31;
    private const int AudioFrameTicks = 960;
    private static readonly long AudioPeriod = Stopwatch.Frequency / 50;
    private static readonly long MaxLag = Stopwatch.Frequency / 5;

    // Everything below the gate is the send side: one owner at a time (SrtpContext is single-threaded).
    private readonly Lock _sendGate = new();
    private readonly byte[] _sendBuffer = new byte[BotSocket.BufferSize];
    private OpusToneEncoder? _opus;
    private OpusToneLoop? _opusLoop;
    private long _audioFrames;
    private SrtpContext? _outbound;
    private ushort _audioSequence;
    private uint _audioTimestamp;
    private uint _frameNumber;
    private ushort _probeSequence;
    private long _nextAudio;
    private long _nextVideo;
    private long _nextReport;
    private long _videoPeriod;

    /// <summary>SRTP and SRTCP packets kept while the keys are not there yet (see <see cref="OnSrtp"/>).</summary>
    private const int MaxHeldBeforeKeys = 128;

    // Receive side, owned by the socket's receive thread.
    private volatile SrtpContext? _inbound;
    private readonly Queue<byte[]> _heldBeforeKeys = new();
    private volatile SocketAddress? _remoteAddress;
    private readonly TransportCcReceiver? _transportFeedback;

    /// <summary>The transport-wide sequence number's extension id in what the SFU sends us (0 = none); set by negotiation.</summary>
    private volatile int _transportCcId;

    private long _audioPackets;
    private long _videoPackets;
    private long _videoFrames;
    private long _keyframes;
    private long _keyframeRequests;
    private long _bytesSent;
    private long _reports;
    private long _receiveErrors;
    private long _replayRejected;
    private long _unknownSsrc;
    private long _srtpBytesReceived;
    private long _srtpBeforeKeys;
    private long _srtpDroppedBeforeKeys;

    /// <summary>The abs-send-time id our audio carries, as the SFU's answer confirmed (0 = none).</summary>
    public int AudioAbsSendTimeId { get; private set; }

    /// <summary>Transport-wide feedback packets sent (<see cref="SfuBotOptions.SendTransportFeedback"/>).</summary>
    public long TransportFeedbackSent => _transportFeedback?.FeedbackSent ?? 0;

    /// <summary>True once DTLS-SRTP is up and media is flowing.</summary>
    public bool IsMediaConnected => _inbound is not null;

    /// <summary>SRTP/SRTCP packets that failed to decrypt or parse at this bot.</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>SRTP/SRTCP packets refused by the replay check (RFC 3711 §3.3.2): sent twice, or too late.</summary>
    public long ReplayRejected => Interlocked.Read(ref _replayRejected);

    /// <summary>Decrypted RTP packets for SSRCs no offer announced.</summary>
    public long UnknownSsrcPackets => Interlocked.Read(ref _unknownSsrc);

    /// <summary>
    /// SRTP and SRTCP packets from the selected remote address that arrived before our DTLS
    /// handshake had given us the keys to read them: kept, and read once the keys are there.
    /// </summary>
    public long SrtpBeforeKeys => Interlocked.Read(ref _srtpBeforeKeys);

    /// <summary>Those of <see cref="SrtpBeforeKeys"/> beyond what the bot keeps (128 packets): dropped unread.</summary>
    public long SrtpDroppedBeforeKeys => Interlocked.Read(ref _srtpDroppedBeforeKeys);

    /// <summary>SRTP and SRTCP bytes (UDP payloads) received from the selected remote address.</summary>
    public long SrtpBytesReceived => Interlocked.Read(ref _srtpBytesReceived);

    public BotSendStats GetSendStats() => new(
        Interlocked.Read(ref _audioPackets),
        Interlocked.Read(ref _videoPackets),
        Interlocked.Read(ref _videoFrames),
        Interlocked.Read(ref _keyframes),
        Interlocked.Read(ref _keyframeRequests),
        Interlocked.Read(ref _bytesSent),
        Interlocked.Read(ref _reports));

    /// <summary>Asks the sender of <paramref name="track"/> for a key frame (RFC 4585 §6.3.1 PLI, via the SFU).</summary>
    public bool SendPictureLossIndication(RemoteTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        lock (_sendGate)
        {
            int length = PictureLossIndication.TryWrite(_sendBuffer, VideoSsrc, track.Ssrc);
            return length > 0 && ProtectRtcpAndSend(length);
        }
    }

    /// <summary>
    /// Test hook: sends one properly protected SRTP packet whose auth tag is then corrupted. It
    /// uses an SSRC of its own so it never consumes a sequence number of the real streams.
    /// </summary>
    public bool SendCorruptedSrtp()
    {
        lock (_sendGate)
        {
            SocketAddress? remote = _remoteAddress;
            if (_outbound is null || remote is null)
            {
                return false;
            }

            int header = RtpPacketWriter.WriteHeader(_sendBuffer, BotSdp.OpusPayloadType, false, _probeSequence++, 0, AudioSsrc ^ 0x5A5A_5A5A, 0, 0);
            _sendBuffer.AsSpan(header, 40).Fill(0x42);
            if (_outbound.ProtectRtp(_sendBuffer, header + 40, out int length) != SrtpResult.Ok)
            {
                return false;
            }

            _sendBuffer[length - 1] ^= 0xFF;
            _socket.Send(_sendBuffer.AsSpan(0, length), remote);
            return true;
        }
    }

    /// <summary>
    /// Test hook, a hostile client's flood: sends <paramref name="count"/> valid SRTP packets of
    /// <paramref name="payloadBytes"/> on an SSRC of its own (so its real streams keep their
    /// numbering). Returns how many went out.
    /// </summary>
    public int SendSrtpFlood(int count, int payloadBytes)
    {
        int sent = 0;
        lock (_sendGate)
        {
            for (int i = 0; i < count; i++)
            {
                int header = RtpPacketWriter.WriteHeader(_sendBuffer, BotSdp.Vp8PayloadType, false, _probeSequence++, 0, VideoSsrc ^ 0x0F0F_0F0F, 0, 0);
                _sendBuffer.AsSpan(header, payloadBytes).Fill(0x42);
                if (ProtectRtpAndSend(header + payloadBytes))
                {
                    sent++;
                }
            }
        }

        return sent;
    }

    /// <summary>Test hook: protects and sends one plain RTCP compound packet (a hostile client's feedback).</summary>
    public bool SendRtcp(ReadOnlySpan<byte> compound)
    {
        lock (_sendGate)
        {
            compound.CopyTo(_sendBuffer);
            return ProtectRtcpAndSend(compound.Length);
        }
    }

    /// <summary>Test hook: sends raw bytes from the bot's socket to the SFU's selected address.</summary>
    public bool SendRawDatagram(ReadOnlySpan<byte> datagram)
    {
        SocketAddress? remote = _remoteAddress;
        if (remote is null)
        {
            return false;
        }

        _socket.Send(datagram, remote);
        return true;
    }

    private void InitializeMedia()
    {
        _audioSequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue);
        _audioTimestamp = (uint)RandomUInt64();
        _videoPeriod = Stopwatch.Frequency / Math.Max(1, _options.VideoFrameRate);
        if (_options.PublishAudio)
        {
            if (_options.ReplayAudio)
            {
                _opusLoop = OpusToneLoop.For(_options.ToneFrequency, _options.AudioBitrate);
            }
            else
            {
                _opus = new OpusToneEncoder(_options.ToneFrequency, _options.AudioBitrate);
            }
        }
    }

    private void StartMedia(SrtpContext outbound, SrtpContext inbound)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_sendGate)
        {
            _outbound = outbound;
            _nextAudio = now;
            _nextVideo = now;
            _nextReport = now + (long)(_options.ReceiverReportInterval.TotalSeconds * Stopwatch.Frequency);
        }

        _inbound = inbound;
    }

    private void DisposeMedia()
    {
        lock (_sendGate)
        {
            _outbound?.Dispose();
            _outbound = null;
        }

        // The receive thread has stopped with the socket, so the inbound context is ours now.
        _inbound?.Dispose();
        _inbound = null;
    }

    private async Task ControlLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ControlInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                _ice.Tick();
                if (_ice.ConsentExpired)
                {
                    continue;
                }

                lock (_sendGate)
                {
                    if (_outbound is not null)
                    {
                        PaceMedia(Stopwatch.GetTimestamp());
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void PaceMedia(long now)
    {
        if (_opus is not null || _opusLoop is not null)
        {
            // Deadline scheduling keeps the average rate exact; after a long stall skip ahead instead of bursting.
            if (now - _nextAudio > MaxLag)
            {
                _nextAudio = now;
            }

            while (now >= _nextAudio)
            {
                SendAudioFrame();
                _nextAudio += AudioPeriod;
            }
        }

        if (_options.PublishVideo)
        {
            if (now - _nextVideo > MaxLag)
            {
                _nextVideo = now;
            }

            while (now >= _nextVideo)
            {
                SendVideoFrame();
                _nextVideo += _videoPeriod;
            }
        }

        if (now >= _nextReport)
        {
            SendReceiverReport();
            _nextReport = now + (long)(_options.ReceiverReportInterval.TotalSeconds * Stopwatch.Frequency);
        }
    }

    private void SendAudioFrame()
    {
        uint absSendTime = AbsSendTime.FromMicroseconds(BotClock.NowMicroseconds());
        int header = RtpPacketWriter.WriteHeader(
            _sendBuffer, BotSdp.OpusPayloadType, false, _audioSequence++, _audioTimestamp, AudioSsrc, AudioAbsSendTimeId, absSendTime);
        Span<byte> destination = _sendBuffer.AsSpan(header, OpusToneEncoder.MaxPacketLength);
        int payload = _opusLoop is not null ? _opusLoop.CopyFrame(_audioFrames++, destination) : _opus!.EncodeNextFrame(destination);
        _audioTimestamp += AudioFrameTicks;
        if (payload > 0 && ProtectRtpAndSend(header + payload))
        {
            Interlocked.Increment(ref _audioPackets);
        }
    }

    private void SendReceiverReport()
    {
        Span<ReportBlock> blocks = stackalloc ReportBlock[MaxReportBlocks];
        int count = 0;
        long now = Stopwatch.GetTimestamp();
        foreach (KeyValuePair<uint, RemoteTrack> entry in _tracks)
        {
            if (count == MaxReportBlocks)
            {
                break;
            }

            blocks[count++] = entry.Value.CreateReportBlock(now);
        }

        // RFC 3550 §6.4.2: the RR comes from one of our SSRCs; the audio one is always allocated.
        int length = ReceiverReport.TryWrite(_sendBuffer, AudioSsrc, blocks[..count]);
        if (length > 0 && ProtectRtcpAndSend(length))
        {
            Interlocked.Increment(ref _reports);
        }
    }

    private bool ProtectRtpAndSend(int length)
    {
        SocketAddress? remote = _remoteAddress;
        if (_outbound is null || remote is null || _outbound.ProtectRtp(_sendBuffer, length, out int protectedLength) != SrtpResult.Ok)
        {
            return false;
        }

        _socket.Send(_sendBuffer.AsSpan(0, protectedLength), remote);
        Interlocked.Add(ref _bytesSent, protectedLength);
        return true;
    }

    private bool ProtectRtcpAndSend(int length)
    {
        SocketAddress? remote = _remoteAddress;
        if (_outbound is null || remote is null || _outbound.ProtectRtcp(_sendBuffer, length, out int protectedLength) != SrtpResult.Ok)
        {
            return false;
        }

        _socket.Send(_sendBuffer.AsSpan(0, protectedLength), remote);
        Interlocked.Add(ref _bytesSent, protectedLength);
        return true;
    }

    private void OnDatagram(Span<byte> datagram, SocketAddress source)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Stun:
                _ice.OnStun(datagram, source);
                break;
            case PacketKind.Dtls:
                if (_remoteAddress is SocketAddress remote && remote.Equals(source))
                {
                    _dtls?.EnqueueIncoming(datagram);
                }

                break;
            case PacketKind.RtpOrRtcp:
                OnSrtp(datagram, source);
                break;
            default:
                Interlocked.Increment(ref _receiveErrors);
                break;
        }
    }

    /// <summary>
    /// The SFU is the DTLS server (it answers our setup:active), so it has the keys once it has
    /// sent the handshake's last flight (ChangeCipherSpec and Finished, RFC 6347 §4.2.4) and
    /// starts forwarding at once, while that flight may still wait here for the handshake task
    /// and its continuation to run. What comes meanwhile, often the start of the first key
    /// frame, is kept in arrival order and read before the next packet once the keys are there:
    /// dropped, it would be a loss no sequence number shows (counting starts at the first packet
    /// read), and the delta frames after it would look like the SFU's fault.
    /// </summary>
    private void OnSrtp(Span<byte> datagram, SocketAddress source)
    {
        SrtpContext? inbound = _inbound;
        if (_remoteAddress is not SocketAddress remote || !remote.Equals(source))
        {
            return;
        }

        if (inbound is null)
        {
            Interlocked.Increment(ref _srtpBeforeKeys);
            if (_heldBeforeKeys.Count < MaxHeldBeforeKeys)
            {
                _heldBeforeKeys.Enqueue(datagram.ToArray());
            }
            else
            {
                Interlocked.Increment(ref _srtpDroppedBeforeKeys);
            }

            return;
        }

        while (_heldBeforeKeys.TryDequeue(out byte[]? held))
        {
            ReadSrtp(inbound, held);
        }

        ReadSrtp(inbound, datagram);
    }

    private void ReadSrtp(SrtpContext inbound, Span<byte> datagram)
    {
        Interlocked.Add(ref _srtpBytesReceived, datagram.Length);
        if (PacketClassifier.IsRtcp(datagram))
        {
            SrtpResult rtcpResult = inbound.UnprotectRtcp(datagram, out int rtcpLength);
            if (rtcpResult != SrtpResult.Ok)
            {
                CountReceiveError(rtcpResult);
                return;
            }

            OnRtcp(datagram[..rtcpLength]);
            return;
        }

        SrtpResult result = inbound.UnprotectRtp(datagram, out int length);
        if (result != SrtpResult.Ok)
        {
            CountReceiveError(result);
            return;
        }

        if (RtpPacket.TryParse(datagram[..length], out RtpPacket packet) != RtpParseResult.Ok)
        {
            Interlocked.Increment(ref _receiveErrors);
            return;
        }

        long now = Stopwatch.GetTimestamp();
        int transportCcId = _transportCcId;
        if (_transportFeedback is not null && transportCcId > 0
            && packet.TryGetExtension((byte)transportCcId, out ReadOnlySpan<byte> sequence) && sequence.Length >= 2)
        {
            // Every packet counts, whatever its SSRC: padding-only probes above all.
            _transportFeedback.OnPacket(BinaryPrimitives.ReadUInt16BigEndian(sequence), packet.Ssrc, now);
        }

        if (_tracks.TryGetValue(packet.Ssrc, out RemoteTrack? track))
        {
            track.OnRtp(packet, now, BotClock.NowMicroseconds());
        }
        else
        {
            Interlocked.Increment(ref _unknownSsrc);
        }
    }

    /// <summary>Sends the receive thread's feedback through the send side, which the gate guards.</summary>
    private sealed class FeedbackSender(SfuBot owner) : IRtcpSender
    {
        public bool IsConnected => owner._inbound is not null;

        public bool SendRtcp(ReadOnlySpan<byte> compound) => owner.SendRtcp(compound);
    }

    private void CountReceiveError(SrtpResult result)
    {
        Interlocked.Increment(ref _receiveErrors);
        if (result is SrtpResult.ReplayDuplicate or SrtpResult.ReplayTooOld)
        {
            Interlocked.Increment(ref _replayRejected);
        }
    }

    private void OnRtcp(ReadOnlySpan<byte> compound)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            Interlocked.Increment(ref _receiveErrors);
            return;
        }

        foreach (RtcpPacket packet in reader)
        {
            switch (packet.Header.PacketType)
            {
                case RtcpPacketType.SenderReport:
                    if (SenderReport.TryParse(packet.Data, out SenderReport report) && _tracks.TryGetValue(report.Ssrc, out RemoteTrack? track))
                    {
                        track.OnSenderReport(report.CompactNtpTimestamp, Stopwatch.GetTimestamp());
                    }

                    break;
                case RtcpPacketType.ReceiverReport:
                    if (ReceiverReport.TryParse(packet.Data, out ReceiverReport receiverReport))
                    {
                        for (int i = 0; i < receiverReport.ReportCount; i++)
                        {
                            FindEncoding(receiverReport.GetReportBlock(i).Ssrc)?.Acknowledge();
                        }
                    }

                    break;
                case RtcpPacketType.PayloadFeedback:
                    OnPayloadFeedback(packet.Data);
                    break;
                default:
                    break;
            }
        }
    }

    private void OnPayloadFeedback(ReadOnlySpan<byte> packet)
    {
        if (PictureLossIndication.TryParse(packet, out PictureLossIndication pli))
        {
            OnKeyframeRequest(pli.MediaSsrc);
        }
        else if (FullIntraRequest.TryParse(packet, out FullIntraRequest fir))
        {
            // RFC 5104 §4.3.1: the SSRC to refresh is in the FCI entries, not the media source field.
            for (int i = 0; i < fir.EntryCount; i++)
            {
                OnKeyframeRequest(fir.GetEntry(i).Ssrc);
            }
        }
    }

    private void OnKeyframeRequest(uint ssrc)
    {
        if (FindEncoding(ssrc) is VideoEncoding encoding)
        {
            Interlocked.Increment(ref _keyframeRequests);
            encoding.OnKeyframeRequest();
        }
    }
}
