function Get-MSCommerceTrustedIssuer {
    <#
    .SYNOPSIS
        Lists the identity providers the organization trusts, or reads one.

    .DESCRIPTION
        Without -Id, calls GET /v1.0/trustedIssuers (oldest first). With -Id (also bound from the Id property of
        piped objects), calls GET /v1.0/trustedIssuers/{issuerId}. A trusted issuer (Microsoft Entra ID, or any
        OpenID Connect provider) signs people and apps in to the organization with its own tokens. Needs Global
        Administrator or Global Reader.

    .PARAMETER Id
        The trust's ID, as New-MSCommerceTrustedIssuer answered it.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceTrustedIssuer

        Lists the trusted issuers with their audiences and claim mapping.

    .EXAMPLE
        Get-MSCommerceTrustedIssuer | Where-Object -Property RoleSource -EQ 'groups'

        Shows the trusts whose roles come from group membership.

    .INPUTS
        System.String. Trust IDs, by property name (Id).

    .OUTPUTS
        MSCommerce.TrustedIssuer. Properties: Id, Issuer, DisplayName, Audiences, ExternalTenantId, UserClaim,
        NameClaim, RoleSource, GroupsClaim, GroupRoles, CreatedDateTime.
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('MSCommerce.TrustedIssuer')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'One', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$Id,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        try {
            if ($PSCmdlet.ParameterSetName -eq 'One') {
                $splatOne = @{
                    Method        = 'GET'
                    Path          = '/v1.0/trustedIssuers/{issuerId}'
                    PathParameter = @{ issuerId = $Id }
                    Token         = $Token
                    ErrorContext  = "Failed to retrieve trusted issuer '$Id'"
                    TargetObject  = $Id
                }
                $trusts = @(Invoke-MSCommerceRestMethod @splatOne)
            }
            else {
                $splatList = @{
                    Method       = 'GET'
                    Path         = '/v1.0/trustedIssuers'
                    Token        = $Token
                    ErrorContext = 'Failed to retrieve trusted issuers'
                }
                $trusts = @((Invoke-MSCommerceRestMethod @splatList).items)
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        $trusts | ConvertTo-MSCommerceTrustedIssuer
    }
}
