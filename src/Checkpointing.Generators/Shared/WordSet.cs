using System;

namespace Checkpointing.Generators.Shared;

/// <summary>
/// The distinct words read from one file. A full run reads every file, and the same few hundred words recur in all of
/// them: the slots are one per thread, reused, and each word's string comes from a small per-thread cache of recent
/// words (fixed size, as the compiler's own string table), so reading a file allocates little beyond its result.
/// </summary>
internal sealed class WordSet
{
    private const int CacheSize = 4096;

    [ThreadStatic]
    private static string?[]? t_slots;

    [ThreadStatic]
    private static string?[]? t_cache;

    private string?[] _slots;
    private int _count;

    public WordSet()
    {
        _slots = t_slots ?? new string?[512];
        t_slots = null;
    }

    public void Add(string word) => Add(word.ToCharArray(), 0, word.Length);

    public const int HashSeed = unchecked((int)2166136261);

    public static int HashStep(int hash, char c) => unchecked((hash ^ c) * 16777619);

    public void Add(char[] text, int start, int length) => Add(text, start, length, Hash(text, start, length));

    /// <summary>Adds a word whose hash (<see cref="HashSeed"/>, then <see cref="HashStep"/> per character) is already known.</summary>
    public void Add(char[] text, int start, int length, int hash)
    {
        hash &= int.MaxValue;
        var mask = _slots.Length - 1;
        for (var slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            var existing = _slots[slot];
            if (existing is null)
            {
                _slots[slot] = Cached(text, start, length, hash);
                if (++_count * 2 > _slots.Length)
                {
                    Grow();
                }

                return;
            }

            if (SameWord(existing, text, start, length))
            {
                return;
            }
        }
    }

    /// <summary>The words, once; the slots go back to the thread for the next file.</summary>
    public string[] ToArray()
    {
        var words = new string[_count];
        var i = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is { } word)
            {
                words[i++] = word;
                _slots[slot] = null;
            }
        }

        _count = 0;
        t_slots = _slots;
        return words;
    }

    private static string Cached(char[] text, int start, int length, int hash)
    {
        var cache = t_cache ??= new string?[CacheSize];
        var slot = hash & (CacheSize - 1);
        if (cache[slot] is { } cached && SameWord(cached, text, start, length))
        {
            return cached;
        }

        return cache[slot] = new string(text, start, length);
    }

    private static bool SameWord(string word, char[] text, int start, int length)
    {
        if (word.Length != length)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            if (word[i] != text[start + i])
            {
                return false;
            }
        }

        return true;
    }

    private static int Hash(char[] text, int start, int length)
    {
        var hash = HashSeed;
        for (var i = start; i < start + length; i++)
        {
            hash = HashStep(hash, text[i]);
        }

        return hash & int.MaxValue;
    }

    private static int Hash(string word)
    {
        var hash = HashSeed;
        foreach (var c in word)
        {
            hash = HashStep(hash, c);
        }

        return hash & int.MaxValue;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new string?[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var word in old)
        {
            if (word is not null)
            {
                var slot = Hash(word) & mask;
                while (_slots[slot] is not null)
                {
                    slot = (slot + 1) & mask;
                }

                _slots[slot] = word;
            }
        }
    }
}
