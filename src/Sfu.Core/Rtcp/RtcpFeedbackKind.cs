namespace Sfu.Core.Rtcp;

/// <summary>What a feedback packet is, from its PT and FMT (RFC 4585 §6.1, RFC 5104 §4, REMB draft).</summary>
public enum RtcpFeedbackKind : byte
{
    /// <summary>Not an RTPFB/PSFB packet, or too short to be one.</summary>
    NotFeedback,

    /// <summary>RTPFB FMT 1, generic NACK (RFC 4585 §6.2.1).</summary>
    GenericNack,

    /// <summary>RTPFB FMT 3, temporary maximum media bitrate request (RFC 5104 §4.2.1).</summary>
    TemporaryMaxBitrateRequest,

    /// <summary>RTPFB FMT 4, temporary maximum media bitrate notification (RFC 5104 §4.2.2).</summary>
    TemporaryMaxBitrateNotification,

    /// <summary>RTPFB FMT 15, transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
    TransportWideCc,

    /// <summary>Any other RTPFB FMT.</summary>
    OtherTransport,

    /// <summary>PSFB FMT 1, picture loss indication (RFC 4585 §6.3.1).</summary>
    PictureLossIndication,

    /// <summary>PSFB FMT 2, slice loss indication (RFC 4585 §6.3.2).</summary>
    SliceLossIndication,

    /// <summary>PSFB FMT 3, reference picture selection indication (RFC 4585 §6.3.3).</summary>
    ReferencePictureSelection,

    /// <summary>PSFB FMT 4, full intra request (RFC 5104 §4.3.1).</summary>
    FullIntraRequest,

    /// <summary>PSFB FMT 15 with the "REMB" identifier (draft-alvestrand-rmcat-remb-03 §2.2).</summary>
    ReceiverEstimatedMaxBitrate,

    /// <summary>PSFB FMT 15, some other application layer feedback (RFC 4585 §6.4).</summary>
    OtherApplicationLayer,

    /// <summary>Any other PSFB FMT.</summary>
    OtherPayloadSpecific,
}
