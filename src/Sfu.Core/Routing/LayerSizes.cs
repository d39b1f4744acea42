using System.Collections.Immutable;

namespace Sfu.Core.Routing;

/// <summary>
/// Which layer fits a video rendered at a given size: the smallest whose frames are at least
/// that large in both dimensions (a larger tile would upscale a smaller layer), else the top one.
/// A layer's size is what its keyframes declared; until then it is estimated from a known layer
/// by the usual halving between simulcast layers (scaleResolutionDownBy 4, 2, 1), from 1280×720
/// at the top when nothing is known yet.
/// </summary>
public static class LayerSizes
{
    private const int DefaultTopWidth = 1280;
    private const int DefaultTopHeight = 720;

    public static int Fitting(ImmutableArray<ProducerLayer> layers, int width, int height)
    {
        int top = layers.Length - 1;
        if (top <= 0 || (width <= 0 && height <= 0))
        {
            return Math.Max(0, top);
        }

        int known = -1;
        for (int i = top; i >= 0; i--)
        {
            if (layers[i].Width > 0)
            {
                known = i;
                break;
            }
        }

        for (int i = 0; i < top; i++)
        {
            (int w, int h) = SizeOf(layers, i, known, top);
            if (w >= width && h >= height)
            {
                return i;
            }
        }

        return top;
    }

    private static (int Width, int Height) SizeOf(ImmutableArray<ProducerLayer> layers, int index, int known, int top)
    {
        if (layers[index].Width > 0)
        {
            return (layers[index].Width, layers[index].Height);
        }

        (int width, int height, int from) = known >= 0
            ? (layers[known].Width, layers[known].Height, known)
            : (DefaultTopWidth, DefaultTopHeight, top);
        int shift = from - index;
        return shift >= 0 ? (width >> shift, height >> shift) : (width << -shift, height << -shift);
    }
}
