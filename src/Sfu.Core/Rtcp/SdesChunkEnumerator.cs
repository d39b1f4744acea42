namespace Sfu.Core.Rtcp;

/// <summary>Walks the chunks of a validated <see cref="SourceDescription"/> without allocating.</summary>
public ref struct SdesChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _content;
    private int _remaining;
    private int _offset;
    private SdesChunk _current;

    internal SdesChunkEnumerator(ReadOnlySpan<byte> content, int count)
    {
        _content = content;
        _remaining = count;
        _offset = RtcpHeader.Size;
        _current = default;
    }

    /// <summary>The chunk found by the last successful <see cref="MoveNext"/>.</summary>
    public readonly SdesChunk Current => _current;

    /// <summary>Lets the enumerator be used directly in <c>foreach</c>.</summary>
    public readonly SdesChunkEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next chunk.</summary>
    public bool MoveNext()
    {
        if (_remaining <= 0)
        {
            return false;
        }

        int size = SdesChunk.Measure(_content, _offset, out uint ssrc, out ReadOnlySpan<byte> items);
        if (size < 0)
        {
            _remaining = 0;
            return false;
        }

        _current = new SdesChunk(ssrc, items);
        _offset += size;
        _remaining--;
        return true;
    }
}
