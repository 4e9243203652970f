function Get-MSCommerceDomain {
    <#
    .SYNOPSIS
        Lists the organization's domains, or reads one.

    .DESCRIPTION
        Without -DomainId, calls GET /v1.0/domains (the initial domain first, then by name). With -DomainId (also
        bound from the DomainId property of piped objects), calls GET /v1.0/domains/{domainId}, in any case.
        Needs Global Administrator, User Administrator, License Administrator or Global Reader.

    .PARAMETER DomainId
        The domain name, such as contoso.com.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceDomain

        Lists the domains in which users can be made.

    .EXAMPLE
        'contoso.com', 'fabrikam.com' | ForEach-Object -Process { Get-MSCommerceDomain -DomainId $_ -ErrorAction SilentlyContinue }

        Shows which of two domains the organization has.

    .INPUTS
        System.String. Domain names, by property name (DomainId).

    .OUTPUTS
        MSCommerce.Domain. Properties: DomainId, IsInitial, IsDefault, IsVerified.
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('MSCommerce.Domain')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'One', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$DomainId,

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
                    Path          = '/v1.0/domains/{domainId}'
                    PathParameter = @{ domainId = $DomainId }
                    Token         = $Token
                    ErrorContext  = "Failed to retrieve domain '$DomainId'"
                    TargetObject  = $DomainId
                }
                $domains = @(Invoke-MSCommerceRestMethod @splatOne)
            }
            else {
                $splatList = @{
                    Method       = 'GET'
                    Path         = '/v1.0/domains'
                    Token        = $Token
                    ErrorContext = 'Failed to retrieve domains'
                }
                $domains = @((Invoke-MSCommerceRestMethod @splatList).items)
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        $domains | ConvertTo-MSCommerceDomain
    }
}
