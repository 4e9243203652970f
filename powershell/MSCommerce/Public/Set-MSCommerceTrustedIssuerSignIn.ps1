function Set-MSCommerceTrustedIssuerSignIn {
    <#
    .SYNOPSIS
        Lets people of the organization sign in on the service's sign-in page with a trusted identity provider.

    .DESCRIPTION
        Calls PUT /v1.0/trustedIssuers/{issuerId}/signIn, or, with -Remove, DELETE on the same path. The sign-in
        page then shows "Sign in with <ButtonText>" to the organization's people (Connect-MSCommerce and the
        console), and the service signs them in as the provider's OpenID Connect relying party: register
        {service URL}/federation/callback as a redirect URI at the provider. Replaces an earlier setting. The client
        secret is kept sealed by the service and never answered: the result's SignInHasClientSecret says whether one
        is held. Needs Global Administrator; audited as TrustedIssuerSignInSet.

    .PARAMETER Id
        The trust's ID. Binds from the Id property of piped objects (Get-MSCommerceTrustedIssuer).

    .PARAMETER ClientId
        The service's client ID at the provider (Entra ID: the app registration's Application (client) ID).

    .PARAMETER ClientSecret
        The client secret at the provider (Entra ID: Certificates & secrets), as a SecureString; leave it out for a
        public client.

    .PARAMETER ButtonText
        The provider's name on the button; the trust's display name when not given.

    .PARAMETER Remove
        Stops offering the provider's sign-in on the page; its tokens stay trusted.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceTrustedIssuer | Where-Object -Property Issuer -Like 'https://login.microsoftonline.com/*' | Set-MSCommerceTrustedIssuerSignIn -ClientId '00000000-0000-0000-0000-000000000000' -ClientSecret (Read-Host -AsSecureString -Prompt 'Client secret') -ButtonText 'Contoso'

        Offers "Sign in with Contoso" for the organization's Entra ID, the client secret typed in.

    .EXAMPLE
        Set-MSCommerceTrustedIssuerSignIn -Id '7886d5f7-673e-4770-8932-a405c857e41d' -ClientId 'mscommerce'

        Offers the provider's sign-in as a public client, with the trust's display name on the button.

    .EXAMPLE
        Set-MSCommerceTrustedIssuerSignIn -Id '7886d5f7-673e-4770-8932-a405c857e41d' -Remove -Confirm:$false

        Stops offering the provider's sign-in, without asking.

    .INPUTS
        System.String. Trust IDs, by property name (Id).

    .OUTPUTS
        MSCommerce.TrustedIssuer, or nothing with -Remove.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Set')]
    [OutputType('MSCommerce.TrustedIssuer')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$Id,

        [Parameter(Mandatory, ParameterSetName = 'Set')]
        [ValidateNotNullOrEmpty()]
        [string]$ClientId,

        [Parameter(ParameterSetName = 'Set')]
        [System.Security.SecureString]$ClientSecret,

        [Parameter(ParameterSetName = 'Set')]
        [ValidateLength(1, 64)]
        [string]$ButtonText,

        # Mandatory in its own set, so that -Remove alone selects the set and -ClientId is not asked for; without
        # it the default set 'Set' applies (about_Parameter_Sets: "at least one of the unique parameters should be a
        # mandatory parameter"; DefaultParameterSetName when the set cannot be determined).
        [Parameter(Mandatory, ParameterSetName = 'Remove')]
        [switch]$Remove,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if ($Remove) {
            if (-not $PSCmdlet.ShouldProcess("Trusted issuer '$Id'", 'Stop offering its sign-in on the sign-in page')) {
                return
            }
            $splatRest = @{
                Method        = 'DELETE'
                Path          = '/v1.0/trustedIssuers/{issuerId}/signIn'
                PathParameter = @{ issuerId = $Id }
                Token         = $Token
                ErrorContext  = "Failed to remove the sign-in of trusted issuer '$Id'"
                TargetObject  = $Id
            }
            try {
                $null = Invoke-MSCommerceRestMethod @splatRest
            }
            catch {
                Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            }
            return
        }
        if (-not $PSCmdlet.ShouldProcess("Trusted issuer '$Id'", "Offer its sign-in on the sign-in page as client '$ClientId'")) {
            return
        }
        $body = @{ clientId = $ClientId }
        if ($null -ne $ClientSecret) {
            $body.clientSecret = ConvertFrom-MSCommerceSecureString -SecureString $ClientSecret
        }
        if ($PSBoundParameters.ContainsKey('ButtonText')) { $body.buttonText = $ButtonText }
        $splatRest = @{
            Method        = 'PUT'
            Path          = '/v1.0/trustedIssuers/{issuerId}/signIn'
            PathParameter = @{ issuerId = $Id }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to set the sign-in of trusted issuer '$Id'"
            TargetObject  = $Id
        }
        try {
            $trust = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        ConvertTo-MSCommerceTrustedIssuer -InputObject $trust
    }
}
