using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Walks the chunks and receive deltas of a <see cref="TransportWideFeedback"/> together,
/// without allocating; validated by the feedback's TryParse, so it cannot read past the packet.
/// </summary>
public ref struct TransportWideFeedbackEnumerator
{
    private readonly ReadOnlySpan<byte> _content;
    private readonly int _count;
    private int _chunkOffset;
    private int _deltaOffset;
    private ushort _chunk;
    private int _inChunk;
    private int _chunkSymbols;
    private int _index;
    private ushort _sequenceNumber;
    private long _arrival;

    internal TransportWideFeedbackEnumerator(ReadOnlySpan<byte> content, int deltasOffset, ushort baseSequenceNumber, int count, long referenceMicros)
    {
        _content = content;
        _count = count;
        _chunkOffset = TransportWideFeedback.MinimumSize;
        _deltaOffset = deltasOffset;
        _sequenceNumber = unchecked((ushort)(baseSequenceNumber - 1));
        _arrival = referenceMicros;
        Current = default;
    }

    public TransportWidePacketStatus Current { get; private set; }

    public readonly TransportWideFeedbackEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        while (_inChunk == _chunkSymbols)
        {
            // Validation guarantees another chunk while packets remain (an empty run is skipped).
            _chunk = BinaryPrimitives.ReadUInt16BigEndian(_content[_chunkOffset..]);
            _chunkOffset += 2;
            _chunkSymbols = TransportWideChunk.SymbolCount(_chunk);
            _inChunk = 0;
        }

        int symbol = TransportWideChunk.Symbol(_chunk, _inChunk++);
        _index++;
        _sequenceNumber++;
        switch (TransportWideChunk.DeltaSize(symbol))
        {
            case 1:
                _arrival += _content[_deltaOffset] * TransportWideFeedback.DeltaUnitMicros;
                _deltaOffset += 1;
                Current = new TransportWidePacketStatus(_sequenceNumber, true, _arrival);
                break;
            case 2:
                _arrival += BinaryPrimitives.ReadInt16BigEndian(_content[_deltaOffset..]) * TransportWideFeedback.DeltaUnitMicros;
                _deltaOffset += 2;
                Current = new TransportWidePacketStatus(_sequenceNumber, true, _arrival);
                break;
            default:
                Current = new TransportWidePacketStatus(_sequenceNumber, false, 0);
                break;
        }

        return true;
    }
}

/// <summary>One packet of transport-wide feedback: its sequence number, and when it arrived (µs on the receiver's clock) if it did.</summary>
public readonly record struct TransportWidePacketStatus(ushort SequenceNumber, bool Received, long ArrivalMicros);
