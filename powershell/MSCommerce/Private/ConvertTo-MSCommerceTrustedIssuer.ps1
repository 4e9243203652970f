function ConvertTo-MSCommerceTrustedIssuer {
    <#
    .SYNOPSIS
        Turns a trusted issuer as the service answers it into an MSCommerce.TrustedIssuer object.

    .DESCRIPTION
        Id carries the trust's ID, so that the object binds to -Id of Get- and Remove-MSCommerceTrustedIssuer
        through the pipeline. The claim mapping's fields are properties of their own, and so are those of the sign-in
        on the service's page (SignInClientId, SignInHasClientSecret, SignInButtonText; empty without one).

    .PARAMETER InputObject
        One trusted issuer as the service answers it.

    .EXAMPLE
        ConvertTo-MSCommerceTrustedIssuer -InputObject $response

        Returns an MSCommerce.TrustedIssuer.

    .OUTPUTS
        MSCommerce.TrustedIssuer.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.TrustedIssuer')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject]$InputObject
    )

    process {
        $mapping = $InputObject.claimMapping
        $signIn = $InputObject.signIn
        [pscustomobject]@{
            PSTypeName            = 'MSCommerce.TrustedIssuer'
            Id                    = $InputObject.id
            Issuer                = $InputObject.issuer
            DisplayName           = $InputObject.displayName
            Audiences             = @($InputObject.audiences)
            ExternalTenantId      = $InputObject.externalTenantId
            UserClaim             = $mapping.userClaim
            NameClaim             = $mapping.nameClaim
            RoleSource            = $mapping.roleSource
            GroupsClaim           = $mapping.groupsClaim
            GroupRoles            = @($mapping.groupRoles)
            SignInClientId        = $signIn.clientId
            SignInHasClientSecret = [bool]$signIn.hasClientSecret
            SignInButtonText      = $signIn.buttonText
            CreatedDateTime       = $InputObject.createdDateTime
        }
    }
}
