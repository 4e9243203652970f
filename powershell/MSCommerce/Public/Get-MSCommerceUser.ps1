function Get-MSCommerceUser {
    <#
    .SYNOPSIS
        Lists the users of the organization, or reads one.

    .DESCRIPTION
        Without -UserId, calls GET /v1.0/users and writes every user, page after page, ordered by sign-in name.
        With -UserId (also bound from the UserId property of piped objects), calls GET /v1.0/users/{userId} for
        each. Needs Global Administrator, User Administrator, License Administrator or Global Reader.

    .PARAMETER UserId
        The user's object ID (a GUID). Binds from the UserId property of piped objects.

    .PARAMETER First
        Without -UserId, stops after this many users. 0 (the default) writes all.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceUser | Where-Object -Property AccountEnabled -EQ $false

        Lists the disabled accounts.

    .EXAMPLE
        Get-MSCommerceUser -UserId '5b1c2f0e-52a4-4c58-9f0e-3f8d2c7a9b10'

        Reads one user with its roles.

    .INPUTS
        System.String. User IDs, by property name (UserId).

    .OUTPUTS
        MSCommerce.User. Properties: UserId, UserPrincipalName, DisplayName, UserType, AccountEnabled, Roles,
        CreatedAt.
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('MSCommerce.User')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'One', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$UserId,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(0, 2147483647)]
        [int]$First = 0,

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
                    Path          = '/v1.0/users/{userId}'
                    PathParameter = @{ userId = $UserId }
                    Token         = $Token
                    ErrorContext  = "Failed to retrieve user '$UserId'"
                    TargetObject  = $UserId
                }
                Invoke-MSCommerceRestMethod @splatOne | ConvertTo-MSCommerceUser
            }
            else {
                $splatList = @{
                    Method         = 'GET'
                    Path           = '/v1.0/users'
                    Token          = $Token
                    ErrorContext   = 'Failed to retrieve users'
                    FollowNextLink = $true
                    First          = $First
                }
                Invoke-MSCommerceRestMethod @splatList | ConvertTo-MSCommerceUser
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
