function New-MSCommerceClientAssertion {
    <#
    .SYNOPSIS
        Builds the signed JWT with which an application proves it holds its certificate (RFC 7523, RFC 7521).

    .DESCRIPTION
        The assertion Entra's certificate credentials use: header {"alg":"RS256","typ":"JWT","x5t":...,
        "x5t#S256":...} where x5t is the base64url SHA-1 thumbprint and x5t#S256 the base64url SHA-256 of the
        certificate's DER bytes (RFC 7515 sections 4.1.7 and 4.1.8); claims aud (the token endpoint URL),
        iss = sub = the client ID, jti (a new GUID), nbf and iat (now) and exp (now + 10 minutes); signed
        RSASSA-PKCS1-v1_5 with SHA-256 by the certificate's private key. The private key never leaves the
        certificate object.

    .PARAMETER Certificate
        The application's certificate, with its RSA private key.

    .PARAMETER ClientId
        The application (client) ID.

    .PARAMETER Audience
        The token endpoint URL the assertion is sent to.

    .EXAMPLE
        New-MSCommerceClientAssertion -Certificate $certificate -ClientId $appId -Audience 'https://mscommerce.contoso.com/contoso.onmicrosoft.com/oauth2/v2.0/token'

        Returns the assertion to send as client_assertion.

    .OUTPUTS
        System.String.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Creates a string in memory; changes no state.')]
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,

        [Parameter(Mandatory)]
        [string]$ClientId,

        [Parameter(Mandatory)]
        [string]$Audience
    )

    $privateKey = $null
    if ($Certificate.HasPrivateKey) {
        $privateKey = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
    }
    if ($null -eq $privateKey) {
        $splatError = @{
            Message      = "Unable to establish connection, ErrorMessage - The certificate '$($Certificate.Subject)' (thumbprint $($Certificate.Thumbprint)) has no RSA private key here, so it cannot sign in. Use the certificate with its private key (a .pfx imported into the store, or X509Certificate2 loaded from a .pfx)."
            ErrorId      = 'CertificatePrivateKeyMissing'
            Category     = 'InvalidArgument'
            TargetObject = $Certificate.Thumbprint
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $sha256 = [System.Security.Cryptography.SHA256]::Create()
    try {
        $derDigest = $sha256.ComputeHash($Certificate.RawData)
    }
    finally {
        $sha256.Dispose()
    }
    $header = [ordered]@{
        alg        = 'RS256'
        typ        = 'JWT'
        x5t        = ConvertTo-MSCommerceBase64Url -Bytes $Certificate.GetCertHash()
        'x5t#S256' = ConvertTo-MSCommerceBase64Url -Bytes $derDigest
    }
    $now = [System.DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $claims = [ordered]@{
        aud = $Audience
        iss = $ClientId
        sub = $ClientId
        jti = [guid]::NewGuid().ToString()
        nbf = $now
        iat = $now
        exp = $now + 600
    }
    $encode = {
        param($Object)
        $json = ConvertTo-Json -InputObject $Object -Compress
        ConvertTo-MSCommerceBase64Url -Bytes ([System.Text.Encoding]::UTF8.GetBytes($json))
    }
    $signingInput = '{0}.{1}' -f (& $encode $header), (& $encode $claims)
    $signingBytes = [System.Text.Encoding]::ASCII.GetBytes($signingInput)
    $sha256Name = [System.Security.Cryptography.HashAlgorithmName]::SHA256
    $pkcs1 = [System.Security.Cryptography.RSASignaturePadding]::Pkcs1
    $signature = $privateKey.SignData($signingBytes, $sha256Name, $pkcs1)
    return '{0}.{1}' -f $signingInput, (ConvertTo-MSCommerceBase64Url -Bytes $signature)
}
