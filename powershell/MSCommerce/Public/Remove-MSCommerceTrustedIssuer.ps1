function Remove-MSCommerceTrustedIssuer {
    <#
    .SYNOPSIS
        Stops trusting an identity provider.

    .DESCRIPTION
        Calls DELETE /v1.0/trustedIssuers/{issuerId}. The issuer's tokens are refused from then on, within seconds
        on every replica of the service; the users its sign-ins made stay (purchases and the audit trail name
        them) but can no longer sign in through it. Needs Global Administrator.

    .PARAMETER Id
        The trust's ID. Binds from the Id property of piped objects (Get-MSCommerceTrustedIssuer).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceTrustedIssuer | Where-Object -Property Issuer -Like 'https://sso.example.org/*' | Remove-MSCommerceTrustedIssuer

        Stops trusting a provider, after confirmation.

    .EXAMPLE
        Remove-MSCommerceTrustedIssuer -Id '7886d5f7-673e-4770-8932-a405c857e41d' -Confirm:$false

        Stops trusting one issuer by its ID, without asking.

    .INPUTS
        System.String. Trust IDs, by property name (Id).

    .OUTPUTS
        None.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$Id,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("Trusted issuer '$Id'", 'Stop trusting its tokens')) {
            return
        }
        $splatRest = @{
            Method        = 'DELETE'
            Path          = '/v1.0/trustedIssuers/{issuerId}'
            PathParameter = @{ issuerId = $Id }
            Token         = $Token
            ErrorContext  = "Failed to remove trusted issuer '$Id'"
            TargetObject  = $Id
        }
        try {
            $null = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
