
namespace Sfu.Core.Routing;

/// <summary>
/// Which layer a down-track should forward, as the subscriber (pause, rendered size), an
/// operator (a pinned layer) and the stream allocator (bandwidth) ask; any thread, and the
/// media path picks the result up at the next packet.
/// </summary>
public sealed partial class DownTrack
{
    /// <summary>
    /// Stops or restarts forwarding at the subscriber's request; the transceiver and its SSRC
    /// stay, so no renegotiation. Any thread: the media path notices the change at the next
    /// packet and, on the way back, resumes the numbering where it stopped.
    /// </summary>
    public void SetPaused(bool paused)
    {
        // Noted here as well as on the media path: a paused track may see no packet at all until
        // it resumes (its node stops relaying what nobody there wants), and the resume must
        // still renumber from where it stopped.
        _pauseSeen |= paused;
        _paused = paused;
    }

    /// <summary>
    /// The subscriber renders this video at <paramref name="width"/> × <paramref name="height"/>
    /// device pixels: it gets the smallest layer at least that size (the top one when none is).
    /// Any thread.
    /// </summary>
    public void SetRequestedSize(int width, int height)
    {
        Volatile.Write(ref _requestedWidth, Math.Max(0, width));
        Volatile.Write(ref _requestedHeight, Math.Max(0, height));
        ChooseLayer();
    }

    /// <summary>Forwards layer <paramref name="layer"/> whatever the size (-1: by size again). Any thread.</summary>
    public void PinLayer(int layer)
    {
        Volatile.Write(ref _pinnedLayer, layer < 0 ? -1 : Math.Min(layer, Source.Layers.Length - 1));
        ChooseLayer();
    }

    /// <summary>
    /// What the subscriber's bandwidth allows (the stream allocator's decision): at most
    /// <paramref name="layer"/>; -1 pauses the track until the budget carries its lowest layer.
    /// True when this lowered or paused what was allowed before. Any thread.
    /// </summary>
    internal bool SetAllocatedLayer(int layer)
    {
        int previous = Interlocked.Exchange(ref _allocatedLayer, layer);
        if (previous == layer)
        {
            return false;
        }

        _bandwidthPaused = layer < 0;
        _pauseSeen |= layer < 0;
        ChooseLayer();
        return layer < Math.Min(previous, Source.Layers.Length - 1);
    }

    /// <summary>
    /// Recomputes the wanted layer from every input. Its callers run on several threads (the hub
    /// for a pin or a size, the stream allocator, the media path when a layer's size becomes
    /// known), each after writing its own input. One at a time: the last to write then read every
    /// input written before it took the lock. Without it, one that read the pin just before
    /// another thread changed it could write last and undo the pin until the next change.
    /// </summary>
    private void ChooseLayer()
    {
        lock (_layerChoice)
        {
            _sizeVersion = Source.LayerSizeVersion;
            int pinned = Volatile.Read(ref _pinnedLayer);
            int width = Volatile.Read(ref _requestedWidth);
            int height = Volatile.Read(ref _requestedHeight);
            int requested = pinned >= 0 ? pinned : LayerSizes.Fitting(Source.Layers, width, height);
            Volatile.Write(ref _requestedLayer, requested);
            int allocated = Volatile.Read(ref _allocatedLayer);
            _forwarder.SetWantedLayer(allocated >= 0 ? Math.Min(requested, allocated) : requested);
        }
    }
}
