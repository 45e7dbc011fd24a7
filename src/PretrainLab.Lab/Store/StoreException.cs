namespace PretrainLab.Lab.Store;

/// <summary>
/// The store cannot be used: a file that is not a plab store, a schema from a newer plab, a database that is
/// down or refuses the login. The message is one line meant for people.
/// </summary>
public sealed class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
