function Find-MSCommerceCertificate {
    <#
    .SYNOPSIS
        Finds a certificate by its thumbprint in the current user's, then the computer's, personal store.

    .DESCRIPTION
        On Windows it reads Cert:\CurrentUser\My\<thumbprint>, then Cert:\LocalMachine\My\<thumbprint> (the
        certificate provider). Elsewhere, where PowerShell has no Cert: drive, it opens the same stores with the
        .NET X509Store API: CurrentUser\My (on Linux and macOS kept by .NET in the user's profile), then
        LocalMachine\My where the platform has one (.NET on Linux refuses it; that is skipped). Spaces and case
        in the thumbprint do not matter. A thumbprint found nowhere stops with ErrorId 'CertificateNotFound'
        naming the stores searched.

    .PARAMETER Thumbprint
        The SHA-1 thumbprint, 40 hexadecimal digits.

    .EXAMPLE
        Find-MSCommerceCertificate -Thumbprint '3C4F1E0A9B8D7C6E5F4A3B2C1D0E9F8A7B6C5D4E'

        Returns the certificate.

    .OUTPUTS
        System.Security.Cryptography.X509Certificates.X509Certificate2.
    #>
    [CmdletBinding()]
    [OutputType([System.Security.Cryptography.X509Certificates.X509Certificate2])]
    param(
        [Parameter(Mandatory)]
        [string]$Thumbprint
    )

    $wanted = ($Thumbprint -replace '[\s:]', '').ToUpperInvariant()
    if ($wanted -notmatch '^[0-9A-F]{40}$') {
        $splatError = @{
            Message      = "Unable to establish connection, ErrorMessage - -CertificateThumbprint '$Thumbprint' is not a SHA-1 thumbprint: 40 hexadecimal digits, as Get-ChildItem Cert:\CurrentUser\My shows them."
            ErrorId      = 'CertificateThumbprintInvalid'
            Category     = 'InvalidArgument'
            TargetObject = $Thumbprint
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $searched = @('CurrentUser\My', 'LocalMachine\My')
    foreach ($location in $searched) {
        $storeLocation, $storeName = $location.Split('\')
        if ((Get-MSCommercePlatform) -eq 'Windows') {
            $found = Get-Item -Path ('Cert:\{0}\{1}\{2}' -f $storeLocation, $storeName, $wanted) -ErrorAction SilentlyContinue
            if ($null -ne $found) {
                return $found
            }
            continue
        }
        $store = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Store -ArgumentList $storeName, ([System.Security.Cryptography.X509Certificates.StoreLocation]$storeLocation)
        try {
            $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly)
            $matching = $store.Certificates.Find([System.Security.Cryptography.X509Certificates.X509FindType]::FindByThumbprint, $wanted, $false)
            if ($matching.Count -gt 0) {
                return $matching[0]
            }
        }
        catch {
            # .NET on Linux opens only Root and CertificateAuthority of LocalMachine (CryptographicException).
            Write-Verbose -Message "The store $location cannot be opened on this platform: $($_.Exception.Message)"
        }
        finally {
            $store.Dispose()
        }
    }
    $splatError = @{
        Message      = "Unable to establish connection, ErrorMessage - No certificate with the thumbprint $wanted is in $($searched -join ' or '). Import the application's .pfx there, or pass it with -Certificate."
        ErrorId      = 'CertificateNotFound'
        Category     = 'ObjectNotFound'
        TargetObject = $wanted
    }
    $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
}
