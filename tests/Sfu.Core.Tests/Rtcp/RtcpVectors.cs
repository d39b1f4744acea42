namespace Sfu.Core.Tests.Rtcp;

/// <summary>Byte vectors shared by the RTCP tests, laid out row by row like the RFC diagrams.</summary>
internal static class RtcpVectors
{
    /// <summary>SR without report blocks followed by SDES with one CNAME chunk: what a browser sends every few seconds.</summary>
    public const string SrPlusSdes =
        "80 C8 00 06"                                       // V=2 RC=0 PT=200 length=6 (28 bytes)
        + " 12 34 56 78"                                    // SSRC of sender
        + " E9 6B 2A 1C 4C 8B 43 95"                        // NTP timestamp
        + " 00 01 E2 40"                                    // RTP timestamp 123456
        + " 00 00 00 64"                                    // packet count 100
        + " 00 00 3E 80"                                    // octet count 16000
        + " 81 CA 00 06"                                    // V=2 SC=1 PT=202 length=6 (28 bytes)
        + " 12 34 56 78"                                    // chunk SSRC
        + " 01 10"                                          // CNAME, 16 bytes
        + " 61 62 63 64 45 46 47 48 69 6A 6B 6C 4D 4E 4F 50" // "abcdEFGHijklMNOP"
        + " 00 00";                                         // end item + pad to 32 bits

    /// <summary>SR with one report block.</summary>
    public const string SrWithBlock =
        "81 C8 00 0C"                // RC=1 PT=200 length=12 (52 bytes)
        + " 12 34 56 78"             // SSRC of sender
        + " E9 6B 2A 1C 4C 8B 43 95" // NTP timestamp
        + " 00 01 E2 40"             // RTP timestamp
        + " 00 00 00 64"             // packet count
        + " 00 00 3E 80"             // octet count
        + " 9A BC DE F0"             // block: SSRC_1
        + " 19 FF FF FE"             // fraction lost 25/256, cumulative lost -2
        + " 00 01 00 10"             // cycles 1, highest seq 16
        + " 00 00 00 2A"             // jitter 42
        + " 2A 1C 4C 8B"             // LSR: middle 32 bits of an NTP timestamp
        + " 00 01 80 00";            // DLSR 1.5 s in 1/65536 s

    /// <summary>Reduced-size (RFC 5506) PLI alone in a datagram, as Chromium sends it.</summary>
    public const string ReducedSizePli =
        "81 CE 00 02"     // V=2 FMT=1 PT=206 length=2
        + " 00 00 00 01"  // sender SSRC (Chromium uses 1 on receive-only transports)
        + " 5E 7A 3C 11"; // media SSRC

    /// <summary>Generic NACK whose BLP reaches across the sequence number wrap.</summary>
    public const string NackAcrossWrap =
        "81 CD 00 03"     // V=2 FMT=1 PT=205 length=3
        + " 00 00 00 01"  // sender SSRC
        + " 5E 7A 3C 11"  // media SSRC
        + " FF FE 00 05"; // PID 65534, BLP bits 0 and 2: 65535 and 1

    /// <summary>FIR with two entries.</summary>
    public const string FirTwoEntries =
        "84 CE 00 06"     // V=2 FMT=4 PT=206 length=6
        + " 00 00 00 01"  // sender SSRC
        + " 00 00 00 00"  // media SSRC unused (RFC 5104 §4.3.1.2)
        + " 5E 7A 3C 11 07 00 00 00"  // entry: SSRC, seq nr 7, reserved
        + " 01 02 03 04 08 00 00 00"; // entry: SSRC, seq nr 8, reserved

    /// <summary>REMB for 1,234,567 bps over one SSRC: exp 3, mantissa 154320 (0x25AD0).</summary>
    public const string Remb =
        "8F CE 00 05"     // V=2 FMT=15 PT=206 length=5
        + " 00 00 00 01"  // sender SSRC
        + " 00 00 00 00"  // media SSRC 0
        + " 52 45 4D 42"  // 'R' 'E' 'M' 'B'
        + " 01 0E 5A D0"  // num SSRC 1 | exp 3 (000011) | mantissa 10 0101 1010 1101 0000
        + " 5E 7A 3C 11"; // SSRC feedback

    /// <summary>Transport-wide CC feedback (RTPFB FMT 15), only to be recognized and skipped.</summary>
    public const string TransportWideCc =
        "8F CD 00 05"     // V=2 FMT=15 PT=205 length=5
        + " 00 00 00 01"  // sender SSRC
        + " 5E 7A 3C 11"  // media SSRC
        + " 00 01 00 02"  // base sequence number 1, packet status count 2
        + " 00 00 01 00"  // reference time 1, feedback packet count 0
        + " 20 02 04 04"; // run-length chunk (2 x small delta), two deltas
}
